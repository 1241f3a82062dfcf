"""The command line: batch work with no screen. Each subcommand lives in its own module."""
