/*
 * migrations.h: each dialect's schema history, one SQL file per step under
 * src/store/migrations/<dialect>/NNN_name.sql, embedded into the binary at
 * build time (cmake/embed_migrations.cmake). Migration NNN moves the schema
 * from version NNN - 1 to NNN. A migration that has shipped is never
 * edited; a change is a new file. The PostgreSQL dialect follows SQLite's
 * one for one: the same number makes the same schema.
 */
#ifndef TL_STORE_MIGRATIONS_H
#define TL_STORE_MIGRATIONS_H

typedef struct tl_migration {
	const char *name; /* "014_usage_records": the file's name */
	const char *sql;  /* the file's text: statements separated by ';' */
} tl_migration;

extern const tl_migration tl_sqlite_migrations[];
extern const int tl_sqlite_migration_count;

#endif
