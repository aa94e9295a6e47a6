"""Text-to-SQL over seeded SQLite databases (`tools/SQL-v0`)."""
