"""The REST API (/api/v1/): the contract in DESIGN.md. Reads share the selectors and filters
of the pages; writes call the same services, so moderation and permissions are the same."""
