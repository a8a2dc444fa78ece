#ifndef TURNOUT_SQL_H
#define TURNOUT_SQL_H

/* Generated from schema.sql and migrations/ at build time (build-aux/embed-sql). */

/* The whole current schema; it ends by setting PRAGMA user_version. */
extern const char sql_schema[];
/*
 * Migrations in order, NULL-terminated: entry i takes a database from
 * user_version i + 1 to i + 2 and sets user_version itself.
 */
extern const char *const sql_migrations[];

#endif
