"""The change feed that REST clients sync from: `record` writes its log in the same transaction
as every change, `read` hands the log out in commit order without ever skipping an entry."""
