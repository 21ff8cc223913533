"""Front ends: the IPython extension and the command line."""
