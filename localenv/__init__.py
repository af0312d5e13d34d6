"""The local environment: an AWS API emulator and a PostgreSQL 15 server on loopback."""
