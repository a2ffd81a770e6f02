"""App-wide pieces of the domain core: database, errors, clock. Nothing here imports Flask."""
