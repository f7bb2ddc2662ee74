"""A recipe box served over HTTP."""
