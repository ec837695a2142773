#!/usr/bin/env bash
# Copy the benchmark data of the `peers` database into a database migrated by the project, so
# that the project serves the same films as PostGraphile and seaography.
# The project's copy of ../shared/bench-peers/lib/to-project.sh (run.sh's TO_PROJECT): since
# publishing, a film is public only when published, so the films are copied as published.
#   TO_PROJECT=$PWD/scripts/bench-peers-to-project.sh ../shared/bench-peers/run.sh target/release/filmserver
#   usage: lib/to-project.sh PROJECT_BIN [DB_NAME]   (DB_NAME default: peers_project)
# The project's `migrate` subcommand creates the schema (and seeds M. Butterfly, which is then
# removed so that the first 20 films by id are the same everywhere). Mapping:
#   person/company -> slug 'p-<id>' / 'c-<id>'; movie.year -> release_year; synopsis -> one plot
#   paragraph; time_period 'YYYY-YYYY' -> period years, time_period_description -> period
#   description; director_id -> credit role 'director'; location -> position by id;
#   movie_company -> role 'production', position by company id.
#   runtime_minutes and after_credits have no place in the project's model (dropped).
set -euo pipefail
BIN=${1:?usage: to-project.sh PROJECT_BIN [DB_NAME]}
DB=${2:-peers_project}
PG=${PG:-postgres://root@127.0.0.1:5432}
SRC="$PG/${BENCH_DB:-peers}"
DST="$PG/$DB"
psql "$PG/postgres" -qc "drop database if exists $DB" -c "create database $DB owner root"
RUST_LOG=warn "$BIN" migrate --database-url "$DST" >/dev/null
psql "$DST" -q -v ON_ERROR_STOP=1 <<'SQL'
delete from movie; delete from credit; delete from movie_company; delete from person; delete from company;
SQL
copy() {  # copy "select on SRC" "table(cols) on DST"
  psql "$SRC" -qAc "\\copy ($1) to stdout" | psql "$DST" -qc "\\copy $2 from stdin"
}
copy "select id, 'p-'||id, name, now(), now() from person" "person(id, slug, name, created_at, updated_at)"
copy "select id, 'c-'||id, name, now(), now() from company" "company(id, slug, name, created_at, updated_at)"
copy "select id, slug, title, year, split_part(time_period,'-',1)::int, split_part(time_period,'-',2)::int, time_period_description, null, 1, now(), now(), now(), now() from movie" \
     "movie(id, slug, title, release_year, period_start_year, period_end_year, period_description, setting_description, version, created_at, updated_at, published_at, first_published_at)"
copy "select id, 0, synopsis from movie" "plot_paragraph(movie_id, position, body)"
copy "select id, director_id, 'director', 0 from movie where director_id is not null" "credit(movie_id, person_id, role, position)"
copy "select id, movie_id, position, title, body from section" "section(id, movie_id, position, title, body)"
copy "select id, movie_id, position, name, description, actor_id from character" "character(id, movie_id, position, name, description, actor_id)"
copy "select id, movie_id, position, emoji, name, description from theme" "theme(id, movie_id, position, emoji, name, description)"
copy "select id, movie_id, (row_number() over (partition by movie_id order by id))::int - 1, name from location" "location(id, movie_id, position, name)"
copy "select movie_id, company_id, 'production', (row_number() over (partition by movie_id order by company_id))::int - 1 from movie_company" "movie_company(movie_id, company_id, role, position)"
psql "$DST" -q -v ON_ERROR_STOP=1 <<'SQL'
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['person','company','movie','plot_paragraph','credit','section','character','theme','location','movie_company'] LOOP
    EXECUTE format('select setval(pg_get_serial_sequence(%L, ''id''), (select coalesce(max(id), 0) + 1 from %I), false)', t, t);
  END LOOP;
END $$;
analyze;
SQL
echo "to-project: $DST: $(psql "$DST" -Atc 'select count(*) from movie') films, $(psql "$DST" -Atc 'select count(*) from section') sections"
