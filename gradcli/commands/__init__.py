"""The click commands, one module each; loaded only when used."""
