#!/bin/sh
# Browsing a library of a million recordings: the whole-process wall time of
# `vrp search` and `vrp ls` (the GUI runs one per keystroke or page) against
# the sqlite3 shell running the same SQL on the same database. Target: every
# vrp median under 20 ms. Prints median and p90 of RUNS runs each, and the
# ratio of the medians vrp/sqlite3.
#
# The library is generated once (vrp init, then one sqlite3 transaction of
# generated rows: titles and descriptions from word lists, tags on about a
# third, created_at spread over six years) and cached in
# $TMPDIR/vrp-bench-1m/v<schema>-n<COUNT>, which a rerun reuses; delete that
# directory to regenerate. The cache is keyed by the schema version, so a new
# migration makes a new one. No audio files exist: only the catalogue is read.
#
# Env: COUNT (1000000), RUNS (21), SEARCH_WORDS ("standup quarterly reykjavik":
# in about 1 of 7, 1 of 19 and 1 of 10000 recordings), TAG (podcast), TMPDIR.
set -eu
: "${VRP:?}"
HERE=$(dirname "$0")
# shellcheck source=bench/common.sh
. "$HERE/common.sh"
COUNT=${COUNT:-1000000}
RUNS=${RUNS:-21}
SEARCH_WORDS=${SEARCH_WORDS:-standup quarterly reykjavik}
TAG=${TAG:-podcast}
bench_need sqlite3

# The schema version this vrp makes, read from a throw-away library.
PROBE=$(mktemp -d "${TMPDIR:-/tmp}/vrp-bench-XXXXXX")
SCHEMA=$("$VRP" --json --library "$PROBE" init | sed -n 's/.*"schema_version":\([0-9]*\).*/\1/p')
rm -rf "$PROBE"
LIB=${TMPDIR:-/tmp}/vrp-bench-1m/v$SCHEMA-n$COUNT

generate() {
	rm -rf "$LIB.part"
	mkdir -p "$(dirname "$LIB")"
	"$VRP" -q --library "$LIB.part" init
	db=$LIB.part/library.db
	# The FTS index is filled in one statement after the rows, not row by row
	# through the triggers (each tagging would rewrite its row's entry); the
	# triggers are put back exactly as the migrations made them.
	sqlite3 "$db" "SELECT sql || ';' FROM sqlite_master WHERE type = 'trigger'
		AND name IN ('recordings_fts_insert', 'recording_tags_fts_insert')" >"$LIB.triggers"
	sqlite3 "$db" <<SQL
.bail on
PRAGMA foreign_keys = ON;
-- A cache that is lost in a crash is only made again: no syncs while filling it.
PRAGMA cache_size = -1048576;
PRAGMA temp_store = MEMORY;
PRAGMA synchronous = OFF;
BEGIN;
DROP TRIGGER recordings_fts_insert;
DROP TRIGGER recording_tags_fts_insert;
CREATE TEMP TABLE w (kind TEXT, i INTEGER, word TEXT, PRIMARY KEY (kind, i));
INSERT INTO w SELECT 'first', key, value FROM json_each('["Anna","Ben","Chloe","David","Elena","Farid","Grace","Hiro","Ines","Jonas","Kai","Lena","Marco","Nadia","Oscar","Priya","Quentin","Rosa","Sam","Tomas","Uma","Victor","Wen","Yusuf","Zoe"]');
INSERT INTO w SELECT 'last', key, value FROM json_each('["Andersen","Becker","Costa","Dubois","Eriksen","Fischer","Garcia","Hoffmann","Ivanova","Jensen","Kowalski","Lindqvist","Moreau","Nakamura","Okafor","Petrov","Quinn","Rossi","Schmidt","Tanaka","Urban","Varga","Weber","Xu","Yilmaz","Zimmermann"]');
INSERT INTO w SELECT 'topic', key, value FROM json_each('["budget","roadmap","hiring","marketing","design review","onboarding","release planning","customer feedback","quarterly results","security audit","product launch","research","thesis","chapter draft","lecture notes","podcast episode","travel plans","garden","renovation","birthday","recipe","guitar practice","book club","sprint retro","architecture"]');
INSERT INTO w SELECT 'place', key, value FROM json_each('["the office","the car","home","the lab","the cafe","the train","Berlin","Lisbon","Tokyo","Montreal","the studio","the conference room"]');
INSERT INTO w SELECT 'tag', key, value FROM json_each('["work","family","podcast","lecture","interview","idea","todo","music","meeting","standup","client","personal","travel","research","draft","archive-me","important","follow-up","language","health"]');
INSERT INTO tags (name) SELECT word FROM w WHERE kind = 'tag' ORDER BY i;

CREATE TEMP TABLE g AS
WITH RECURSIVE n(id) AS (SELECT 1 UNION ALL SELECT id + 1 FROM n WHERE id < $COUNT)
SELECT id,
	(id * 2654435761) % 4294967296 AS h,
	(id * 40503 + 12345) % 65521 AS k,
	1577836800 + id * (189000000 / $COUNT) + (id * 7919) % 3600 AS t
FROM n;

CREATE TEMP TABLE parts AS
SELECT g.*,
	printf('%08x-%04x-4%03x-%04x-%012x', h, k, h % 4096, 32768 + k % 16384, id) AS u,
	strftime('%Y-%m-%dT%H:%M:%fZ', t, 'unixepoch') AS created_at,
	30 + (h % 5400) + (k % 1000) / 1000.0 AS duration,
	(SELECT word FROM w WHERE kind = 'first'
		AND i = h % (SELECT count(*) FROM w WHERE kind = 'first')) AS first,
	(SELECT word FROM w WHERE kind = 'last'
		AND i = k % (SELECT count(*) FROM w WHERE kind = 'last')) AS last,
	(SELECT word FROM w WHERE kind = 'topic'
		AND i = (h / 7) % (SELECT count(*) FROM w WHERE kind = 'topic')) AS topic,
	(SELECT word FROM w WHERE kind = 'topic'
		AND i = (k / 3) % (SELECT count(*) FROM w WHERE kind = 'topic')) AS topic2,
	(SELECT word FROM w WHERE kind = 'place'
		AND i = (h / 11) % (SELECT count(*) FROM w WHERE kind = 'place')) AS place
FROM g;

INSERT INTO recordings (id, uuid, original_filename, stored_filename, local_path, title,
	description, duration, filesize_bytes, mime_type, codec, sample_rate, channels,
	bit_depth, checksum, status, deleted_at, ingest_source, created_by_app_version,
	created_at, modified_at)
SELECT id, u, CAST('REC_' || printf('%07d', id) || '.wav' AS BLOB), u || '.wav',
	'recordings/raw/' || u || '.wav',
	CASE h % 8
	WHEN 0 THEN 'Team standup ' || date(t, 'unixepoch')
	WHEN 1 THEN 'Interview with ' || first || ' ' || last
	WHEN 2 THEN 'Lecture: ' || topic || ', part ' || (k % 12 + 1)
	WHEN 3 THEN 'Meeting with ' || first || ' about ' || topic
	WHEN 4 THEN 'Voice memo ' || strftime('%Y-%m-%d %H:%M', t, 'unixepoch')
	WHEN 5 THEN 'Call with ' || first || ' ' || last
	WHEN 6 THEN upper(substr(topic, 1, 1)) || substr(topic, 2) || ' brainstorm'
	ELSE 'Notes from ' || place END,
	CASE WHEN id % 10007 = 0 THEN 'Keynote rehearsal for the Reykjavik summit.'
	ELSE CASE k % 4
	WHEN 0 THEN ''
	WHEN 1 THEN 'Recorded in ' || place || ' with ' || first || '. We talked about '
		|| topic || ' and ' || topic2 || '.'
	WHEN 2 THEN 'Follow-up on ' || topic2 || '; ' || last || ' sends the ' || topic
		|| ' summary.'
	ELSE 'Quick thoughts on ' || topic || ' while in ' || place || '.' END END,
	duration, CAST(duration * 96000 AS INTEGER) + 44, 'audio/wav', 'pcm_s16le', 48000, 1, 16,
	printf('%08x%08x%08x%08x%08x%08x%08x%08x', h, k, (h * 31) % 4294967296, t, (h | k) - (h & k),
		(k * 977) % 4294967296, (h + t) % 4294967296, id),
	CASE WHEN h % 100 = 0 THEN 'deleted' WHEN h % 100 < 3 THEN 'archived' ELSE 'active' END,
	CASE WHEN h % 100 = 0 THEN created_at END,
	'import', '0.1.0', created_at, created_at
FROM parts ORDER BY id;

-- A third of the recordings carry a tag, a ninth a second one.
INSERT OR IGNORE INTO recording_tags (recording_id, tag_id)
SELECT id, 1 + (h / 3) % 20 FROM g WHERE h % 3 = 0
UNION ALL SELECT id, 1 + k % 20 FROM g WHERE h % 9 = 0;

INSERT INTO recordings_fts (rowid, title, description, tags)
SELECT r.id, r.title, r.description, coalesce((SELECT group_concat(t.name, ' ')
	FROM recording_tags rt JOIN tags t ON t.id = rt.tag_id
	WHERE rt.recording_id = r.id), '')
FROM recordings r ORDER BY r.id;
.read $LIB.triggers
COMMIT;
SQL
}

if [ ! -f "$LIB/library.db" ]; then
	echo "generating $COUNT recordings into $LIB (cached for later runs)"
	s=$(now_us)
	generate
	mv "$LIB.part" "$LIB"
	rm -f "$LIB.triggers"
	echo "generated in $(calc "($(now_us) - $s) / 1000000") s"
fi
DB=$LIB/library.db
cat "$DB" >/dev/null

# The SQL vrp runs (src/lib/db/recording_query.c, recording_search.c), its
# parameters written in. The ls peer runs the page query only; vrp also reads
# the page's tags (one indexed lookup per row shown).
COLUMNS="r.id, r.uuid, r.original_filename, r.stored_filename, r.local_path, r.title,
	r.description, r.duration, r.filesize_bytes, r.mime_type, r.codec, r.sample_rate,
	r.channels, r.bit_depth, r.checksum, r.status, r.deleted_at, r.retention_policy,
	r.ingest_source, r.created_by_app_version, r.created_at, r.modified_at, r.integrity,
	r.verified_at"
LISTED="r.status IN ('active', 'archived')"
ls_sql() { # ORDER BY and extra WHERE: the page query with one row of look-ahead
	echo "SELECT $COLUMNS FROM recordings r WHERE $LISTED ${2:-} ORDER BY $1 LIMIT 51"
}
search_sql() { # word
	echo "SELECT r.id, r.title, bm25(recordings_fts, 10.0, 1.0, 5.0) AS score,
		snippet(recordings_fts, -1, '[', ']', '...', 12)
		FROM recordings_fts JOIN recordings r ON r.id = recordings_fts.rowid
		WHERE recordings_fts MATCH '\"$1\"*' AND r.status <> 'deleted'
		ORDER BY score, r.id LIMIT 50"
}
TAGGED="AND EXISTS (SELECT 1 FROM recording_tags rt JOIN tags t ON t.id = rt.tag_id
	WHERE rt.recording_id = r.id AND t.name = '$TAG')"

if "$VRP" ls --help >/dev/null 2>&1 && "$VRP" search --help >/dev/null 2>&1; then
	HAVE_BROWSE=1
else
	HAVE_BROWSE=0
	echo "SKIP: this vrp has no \`ls\`/\`search\` commands yet; only the sqlite3 side is measured"
fi

# measure LABEL SQL VRP_ARGS...: median and p90 of both, the ratio, the verdict.
measure() {
	label=$1 sql=$2
	shift 2
	sqlite3 -batch -init /dev/null "$DB" "$sql" >/dev/null
	: >"$LIB.peer"
	: >"$LIB.vrp"
	i=0
	while [ $i -lt "$RUNS" ]; do
		time_us sqlite3 -batch -init /dev/null "$DB" "$sql" >>"$LIB.peer"
		if [ $HAVE_BROWSE = 1 ]; then
			time_us "$VRP" --library "$LIB" "$@" >>"$LIB.vrp"
		fi
		i=$((i + 1))
	done
	# shellcheck disable=SC2046 # two numbers, split on purpose
	set -- $(median_p90_ms <"$LIB.peer")
	peer_median=$1 peer_p90=$2
	if [ $HAVE_BROWSE = 0 ]; then
		printf '%-32s vrp: skipped            sqlite3: %7s ms, p90 %7s\n' \
			"$label" "$peer_median" "$peer_p90"
		return
	fi
	# shellcheck disable=SC2046
	set -- $(median_p90_ms <"$LIB.vrp")
	printf '%-32s vrp: %7s ms, p90 %7s   sqlite3: %7s ms, p90 %7s   ratio vrp/sqlite3: %s\n' \
		"$label" "$1" "$2" "$peer_median" "$peer_p90" "$(calc "$1 / $peer_median")"
	verdict "$label median < 20 ms ($1 ms)" "$(awk -v m="$1" 'BEGIN { print (m < 20) }')"
}

total=$(sqlite3 "$DB" "SELECT count(*) FROM recordings")
echo "library: $total recordings ($LIB); whole-process wall time, median and p90 of $RUNS runs"
for word in $SEARCH_WORDS; do
	hits=$(sqlite3 "$DB" "SELECT count(*) FROM recordings_fts WHERE recordings_fts MATCH '\"$word\"*'")
	measure "search $word ($hits matches)" "$(search_sql "$word")" search "$word"
done
measure "ls --limit 50" "$(ls_sql "r.created_at DESC, r.id DESC")" ls --limit 50
measure "ls --sort title --limit 50" "$(ls_sql "r.title COLLATE NOCASE ASC, r.id ASC")" \
	ls --sort title --limit 50
measure "ls --tag $TAG --limit 50" "$(ls_sql "r.created_at DESC, r.id DESC" "$TAGGED")" \
	ls --tag "$TAG" --limit 50
rm -f "$LIB.peer" "$LIB.vrp"
bench_exit
