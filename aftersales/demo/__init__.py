"""A realistic Chinese demo data set that `make run` loads once into an empty database."""
