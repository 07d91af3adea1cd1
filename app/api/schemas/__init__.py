"""marshmallow schemas at the HTTP boundary: DTOs to dump, requests to load."""
