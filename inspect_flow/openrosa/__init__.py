"""ODK Collect / KoboCollect: inspect_flow as an OpenRosa 1.0 server (see README, "ODK Collect / KoboCollect")."""
