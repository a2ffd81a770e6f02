"""The web front end (Flask). It calls the same operations as the CLI and the API."""
