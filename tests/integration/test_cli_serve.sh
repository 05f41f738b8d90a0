#!/bin/sh
# vrp serve: the HTTP API end to end with curl (token, Host, Origin, ranges, edits, imports, events).
. "$(dirname "$0")/tap.sh"
: "${VRP:?set VRP to the vrp binary}"
LIB="$WORK/lib"
"$VRP" -q --library "$LIB" init
sox -q -n -r 8000 -b 16 -c 1 "$WORK/tone.wav" synth 2 sine 1000 vol 0.5
sox -q -n -r 8000 -b 16 -c 1 "$WORK/Second take.wav" synth 1 sine 300 vol 0.5
sox -q -n -r 16000 -b 16 -c 1 "$WORK/raw.wav" synth 1 sine 700 vol 0.5
head -c 4000 /dev/urandom >"$WORK/noise.wav"
"$VRP" -q --library "$LIB" import "$WORK/tone.wav"
"$VRP" -q --library "$LIB" edit 1 --title "Board meeting" >/dev/null

# Starts `vrp serve ARGS` in the background; sets $pid, $url, $token, $hp (HOST:PORT).
start_server() {
	"$VRP" --library "$LIB" serve "$@" >"$WORK/serve.out" 2>"$WORK/serve.err" &
	pid=$!
	for _ in $(seq 100); do
		[ -s "$WORK/serve.out" ] && break
		sleep 0.1
	done
	url=$(head -n 1 "$WORK/serve.out")
	token=${url##*token=}
	hp=${url#http://}
	hp=${hp%%/*}
}
stop_server() {
	kill "$pid"
	wait "$pid" && stop_status=0 || stop_status=$?
}
AUTH="Authorization: Bearer"
# get PATH [CURL ARGS...]: status in $code, headers in $WORK/h, body in $body.
get() {
	_path=$1; shift
	code=$(curl -s -o "$WORK/b" -D "$WORK/h" -w '%{http_code}' "$@" "http://$hp$_path")
	body=$(cat "$WORK/b")
}
header() { tr -d '\r' <"$WORK/h" | grep -i "^$1:" | head -n 1 | cut -d' ' -f2-; }

start_server
expect_match "the first line is the URL with a 256-bit token" "$url" '^http://127\.0\.0\.1:[0-9]+/\?token=[0-9a-f]{64}$'

get /api/recordings
expect_match "no token: 401" "$code" '^401$'
expect_match "with the error in the CLI's shape" "$body" '^\{"error":\{"code":"ERR_AUTH","message":"[^"]+"\}\}$'
get /api/recordings -H "$AUTH 0000000000000000000000000000000000000000000000000000000000000000"
expect_match "a wrong token: 401" "$code" '^401$'
get /api/recordings -H "$AUTH $token"
expect_match "the Bearer token: 200" "$code" '^200$'
expect_match "items in --json's field names, and the keyset cursor" "$body" '^\{"items":\[\{"id":1,"uuid":"[0-9a-f-]{36}",.*"title":"Board meeting".*\}\],"next_cursor":null\}$'

get "/?token=$token"
expect_match "/?token= redirects" "$code" '^303$'
expect_match "to / (the token leaves the address bar)" "$(header Location)" '^/$'
expect_match "with an HttpOnly SameSite=Strict cookie" "$(header Set-Cookie)" "^vrp_token=$token; HttpOnly; SameSite=Strict; Path=/$"
get "/?token=nope"
expect_match "a wrong token in the URL: 401" "$code" '^401$'
get / -H "Cookie: vrp_token=$token"
expect_match "the cookie opens the page" "$code" '^200$'
expect_match "the page is HTML with a search box" "$body" 'type="search"'
expect_match "under a strict content security policy" "$(header Content-Security-Policy)" "^default-src 'self'"
get /app.js -H "Cookie: vrp_token=$token"
expect_match "the script is embedded" "$code" '^200$'

get /api/recordings -H "$AUTH $token" -H "Host: evil.example:${hp##*:}"
expect_match "a foreign Host (DNS rebinding): 421" "$code" '^421$'
get /api/recordings -H "$AUTH $token" -H "Host: localhost:${hp##*:}"
expect_match "localhost:PORT is our Host too" "$code" '^200$'
get /api/recordings -H "$AUTH $token" -H "Origin: http://evil.example"
check "no CORS headers, whatever the Origin" sh -c "! grep -qi '^access-control' '$WORK/h'"

get /api/recordings/1 -H "$AUTH $token" -X PATCH -H 'Content-Type: application/json' -H 'Origin: http://evil.example' -d '{"title":"Hacked"}'
expect_match "a state change from another Origin: 403" "$code" '^403$'
get /api/recordings/1 -H "$AUTH $token" -X PATCH -H 'Content-Type: text/plain' -d '{"title":"Hacked"}'
expect_match "a state change without a JSON body (a form could send it): 403" "$code" '^403$'
get /api/recordings/1 -H "$AUTH $token" -X PATCH -H 'Content-Type: application/json' -H "Origin: http://$hp" -d '{"title":"Renamed","tags":["q3","budget"]}'
expect_match "PATCH from our own Origin: 200" "$code" '^200$'
expect_match "answers the edited recording" "$body" '"title":"Renamed".*"tags":\["budget","q3"\]'
run "$VRP" --library "$LIB" --json show 1
expect_match "the edit is in the catalogue" "$out" '"title":"Renamed"'
get /api/recordings/1 -H "$AUTH $token" -X PATCH -H 'Content-Type: application/json' -d '{"checksum":"x"}'
expect_match "a field that cannot be edited: 400" "$code" '^400$'
expect_match "as ERR_INVALID_ARGUMENT" "$body" '"code":"ERR_INVALID_ARGUMENT"'
get /api/recordings/999 -H "$AUTH $token"
expect_match "an unknown recording: 404" "$code" '^404$'
get /api/nothing -H "$AUTH $token"
expect_match "an unknown endpoint: 404" "$code" '^404$'
get /api/recordings/1 -H "$AUTH $token" -X PUT -H 'Content-Type: application/json' -d '{}'
expect_match "a method the path does not take: 405" "$code" '^405$'
get "/api/search?q=renam" -H "$AUTH $token"
expect_match "search finds it by a prefix, with the excerpt" "$body" '"id":1,.*"snippet":"\[Renamed\]"'

size=$(stat -c %s "$WORK/tone.wav")
get /api/recordings/1/audio -H "$AUTH $token"
expect_match "the audio: 200" "$code" '^200$'
expect_match "with the probed type" "$(header Content-Type)" '^audio/wav$'
expect_match "and the whole length" "$(header Content-Length)" "^$size$"
check "byte for byte" cmp "$WORK/b" "$WORK/tone.wav"
etag=$(header ETag)
expect_match "an ETag from the checksum" "$etag" '^"[0-9a-f]{64}"$'
get /api/recordings/1/audio -H "$AUTH $token" -H 'Range: bytes=100-199'
expect_match "Range: 206" "$code" '^206$'
expect_match "with Content-Range" "$(header Content-Range)" "^bytes 100-199/$size$"
check "the very bytes asked for" sh -c "tail -c +101 '$WORK/tone.wav' | head -c 100 | cmp - '$WORK/b'"
get /api/recordings/1/audio -H "$AUTH $token" -H 'Range: bytes=-10'
expect_match "a suffix range gives the last bytes" "$(header Content-Range)" "^bytes $((size - 10))-$((size - 1))/$size$"
get /api/recordings/1/audio -H "$AUTH $token" -H "Range: bytes=$size-"
expect_match "a range past the end: 416" "$code" '^416$'
get /api/recordings/1/audio -H "$AUTH $token" -H "If-None-Match: $etag"
expect_match "If-None-Match with the ETag: 304" "$code" '^304$'
get "/api/recordings/1/audio?format=opus" -H "$AUTH $token"
expect_match "?format=opus: the compressed copy" "$code $(header Content-Type)" '^200 audio/ogg'
check "an Ogg stream" sh -c "head -c 4 '$WORK/b' | grep -q OggS"
get "/api/recordings/1/waveform?pixels_per_second=10" -H "$AUTH $token"
expect_match "the waveform at 10 pixels a second" "$body" '^\{"version":2,"channels":1,"sample_rate":8000,"samples_per_pixel":800,"bits":16,"length":20,'
get /api/recordings/1/spectrogram -H "$AUTH $token"
expect_match "the spectrogram is a PNG" "$code $(header Content-Type)" '^200 image/png$'

curl -s -N -H "$AUTH $token" "http://$hp/api/events" >"$WORK/events" &
sse=$!
sleep 0.5
get /api/import -H "$AUTH $token" -F "file=@$WORK/Second take.wav"
expect_match "a multipart import: 200" "$code" '^200$'
expect_match "the result as vrp import --json gives it" "$body" '^\{"items":\[\{"path":"Second take.wav","status":"imported","id":2,"uuid":"[0-9a-f-]{36}"\}\]\}$'
run "$VRP" --library "$LIB" --json show 2
expect_match "titled from the uploaded file's name" "$out" '"original_filename":"Second take.wav",.*"title":"Second take"'
get /api/import -H "$AUTH $token" -F "file=@$WORK/Second take.wav"
expect_match "the same content again is a duplicate" "$body" '"status":"duplicate","id":2'
get /api/import -H "$AUTH $token" -F "file=@$WORK/noise.wav"
expect_match "noise: 415" "$code" '^415$'
expect_match "rejected, with the importer's code" "$body" '"status":"rejected",.*"code":"ERR_UNSUPPORTED_MEDIA"'
get "/api/import?filename=raw.wav" -H "$AUTH $token" -H 'Content-Type: audio/wav' --data-binary "@$WORK/raw.wav"
expect_match "a raw body is imported too" "$body" '"path":"raw.wav","status":"imported","id":3'
sox -q -n -r 8000 -b 16 -c 1 "$WORK/memo.wav" synth 1 sine 430 vol 0.5
march=$(date -u -d 2025-03-14T10:00:00Z +%s)000
get "/api/import?filename=memo.wav&title=Standup%20notes&tags=work,q3&last_modified=$march" -H "$AUTH $token" -H 'Content-Type: audio/wav' --data-binary "@$WORK/memo.wav"
expect_match "title and tags as query parameters" "$code $body" '^200 .*"path":"memo.wav","status":"imported","id":4'
run "$VRP" --library "$LIB" --json show 4
expect_match "reach the catalogue" "$out" '"title":"Standup notes".*"tags":\["q3","work"\]'
expect_match "last_modified dates it as the client's file" "$out" '"recorded_at":"2025-03-14T10:00:00.000Z","recorded_at_source":"mtime"'
get "/api/import?filename=memo.wav&last_modified=yesterday" -H "$AUTH $token" -H 'Content-Type: audio/wav' --data-binary "@$WORK/memo.wav"
expect_match "a last_modified that is not a time: 400" "$code" '^400$'
sox -q -n -r 8000 -b 16 -c 1 "$WORK/a.wav" synth 1 sine 410 vol 0.5
sox -q -n -r 8000 -b 16 -c 1 "$WORK/b.wav" synth 1 sine 420 vol 0.5
get /api/import -H "$AUTH $token" -F "one=@$WORK/a.wav;filename=../../escape.wav" -F "two=@$WORK/b.wav"
expect_match "several files in one body, each with its result" "$body" '"path":"escape.wav","status":"imported","id":5.*"path":"b.wav","status":"imported","id":6'
check "a file name cannot climb out of the upload directory" sh -c "! ls '$LIB' '$LIB/..' | grep -q escape.wav"
get "/api/import" -H "$AUTH $token" -H 'Content-Type: text/plain' --data-binary "@$WORK/raw.wav"
expect_match "an upload as text/plain: 403" "$code" '^403$'
check "no upload is left in tmp/" sh -c "! ls '$LIB/tmp' | grep -q upload"
sleep 0.5
kill "$sse"
wait "$sse" 2>/dev/null
expect_match "the event stream told of the import" "$(cat "$WORK/events")" 'event: import
data: \{"path":"Second take.wav","status":"imported","id":2'
expect_match "and of the new recording" "$(cat "$WORK/events")" 'event: recording
data: \{"action":"created","id":2\}'
curl -s -N -H "$AUTH $token" "http://$hp/api/events" >"$WORK/changed" &
sse=$!
sleep 0.3
"$VRP" -q --library "$LIB" edit 1 --title "Renamed in a terminal" >/dev/null
for _ in $(seq 50); do grep -q '^event: changed' "$WORK/changed" && break; sleep 0.1; done
kill "$sse"
wait "$sse" 2>/dev/null
expect_match "another process's change arrives as a changed event" "$(cat "$WORK/changed")" 'event: changed
data: \{"seq":[0-9]+,"reload":false,"recordings":\[\{"id":1,"action":"updated"\}\]\}'
curl -s -N --max-time 2 -H "$AUTH $token" -H "Last-Event-ID: 1" "http://$hp/api/events" >"$WORK/resumed" || true
expect_match "Last-Event-ID resumes after the event it names" "$(sed -n 's/^id: //p' "$WORK/resumed" | head -n 1)" '^2$'

get /api/recordings/2 -H "$AUTH $token" -X DELETE -H 'Content-Type: application/json'
expect_match "DELETE soft-deletes" "$body" '"status":"deleted"'
get "/api/recordings?status=deleted" -H "$AUTH $token"
expect_match "the deleted one is listed when asked for" "$body" '^\{"items":\[\{"id":2,'
get /api/recordings/2/restore -H "$AUTH $token" -X POST -H 'Content-Type: application/json'
expect_match "restore brings it back" "$body" '"status":"active"'
get "/api/recordings?limit=2&sort=title" -H "$AUTH $token"
second=$(printf '%s' "$body" | sed 's/.*},{"id":\([0-9]*\),.*/\1/')
get "/api/recordings?limit=1&sort=title" -H "$AUTH $token"
expect_match "a page of one gives a cursor" "$body" '"next_cursor":[0-9]+}$'
cursor=$(printf '%s' "$body" | sed 's/.*"next_cursor":\([0-9]*\)}$/\1/')
get "/api/recordings?limit=1&sort=title&cursor=$cursor" -H "$AUTH $token"
expect_match "and the cursor the next page, as a page of two has it" "$body" "^\\{\"items\":\\[\\{\"id\":$second,"
get "/api/recordings?until=2000-01-01" -H "$AUTH $token"
expect_match "until a date before every import: none" "$body" '^\{"items":\[\],"next_cursor":null\}$'
get "/api/recordings?since=2000-01-01&until=2999-12-31&limit=1" -H "$AUTH $token"
expect_match "since and until as vrp ls reads them" "$body" '^\{"items":\[\{"id":[0-9]+,'
get "/api/recordings?by=recorded&until=2025-03-14" -H "$AUTH $token"
expect_match "by=recorded: the recording's own date, a bare until including its day" "$body" '^\{"items":\[\{"id":4,.*"next_cursor":null\}$'
check "and only that one" sh -c "! printf '%s' '$body' | grep -q '},{\"id\"'"
get "/api/recordings?since=2026-02-31" -H "$AUTH $token"
expect_match "a date that is not one: 400" "$code" '^400$'
expect_match "naming the parameter" "$body" '"message":"since: .2026-02-31. is not a date'
get "/api/recordings?by=modified" -H "$AUTH $token"
expect_match "an unknown by: 400" "$code" '^400$'
get "/api/recordings?sort=loudness" -H "$AUTH $token"
expect_match "an unknown sort: 400" "$code" '^400$'

get /api/sync -H "$AUTH $token"
expect_match "sync status, with the worker running in-process" "$body" '^\{"items":\[\],"worker":true\}$'
mkdir "$WORK/nas"
"$VRP" -q --library "$LIB" remote add nas localdir path="$WORK/nas"
get /api/remotes -H "$AUTH $token"
expect_match "remotes as vrp remote ls --json gives them" "$body" '^\{"items":\[\{"name":"nas","type":"localdir","created_at":"[^"]+","path":"[^"]*nas","paused_reason":null\}\]\}$'
curl -s -N -H "$AUTH $token" "http://$hp/api/events" >"$WORK/sync-events" &
sse=$!
sleep 0.3
get /api/sync -H "$AUTH $token" -X POST -H 'Content-Type: application/json' -d '{"remote":"nas"}'
expect_match "POST /api/sync queues every recording: 202" "$code $body" '^202 \{"queued":6,"worker":true\}$'
for _ in $(seq 100); do
	[ "$(grep -c '"kind":"synced"' "$WORK/sync-events")" -ge 6 ] && break
	sleep 0.1
done
kill "$sse"
wait "$sse" 2>/dev/null
expect_match "the in-process worker uploads them, and the events say so" "$(grep -c '"kind":"synced"' "$WORK/sync-events")" '^6$'
get /api/sync -H "$AUTH $token"
expect_match "sync status counts them synced" "$body" '"remote":"nas","provider":"localdir",.*"synced":6'
check "the files are on the remote" test "$(find "$WORK/nas" -name '*.wav' | wc -l)" -eq 6
get "/api/queue?state=done" -H "$AUTH $token"
expect_match "the queue holds the done uploads" "$body" '^\{"items":\[\{"id":1,"uuid":"[0-9a-f-]{36}","op":"upload",.*"state":"done"'
get "/api/queue?state=bogus" -H "$AUTH $token"
expect_match "an unknown state: 400" "$code" '^400$'
get /metrics -H "$AUTH $token"
expect_match "Prometheus metrics" "$body" 'vrp_import_imported [0-9]+'
get /api/openapi.json -H "$AUTH $token"
expect_match "the OpenAPI 3.1 document" "$body" '"openapi": "3\.1\.0"'

stop_server
expect_match "SIGTERM stops it cleanly" "$stop_status" '^0$'
check "the token never reached the log" sh -c "! grep -rq '$token' '$VRP_LOG_DIR'"

mkdir -p "$WORK/bin"
cat >"$WORK/bin/xdg-open" <<EOS
#!/bin/sh
echo "\$*" >"$WORK/xdg-argv"
cp "\$1" "$WORK/opened.html"
EOS
chmod +x "$WORK/bin/xdg-open"
PATH="$WORK/bin:$PATH" XDG_RUNTIME_DIR="$WORK" start_server --no-worker --open --listen 127.0.0.1:0
get /api/sync -H "$AUTH $token"
expect_match "--no-worker: no worker" "$body" '"worker":false'
for _ in $(seq 50); do [ -s "$WORK/opened.html" ] && break; sleep 0.1; done
expect_match "--open has xdg-open open a page that goes to the URL" "$(cat "$WORK/opened.html" 2>/dev/null)" "url=http://$hp/\\?token=$token"
check "without the token on xdg-open's command line" sh -c "! grep -q '$token' '$WORK/xdg-argv'"

# Runs of other processes: their progress reaches the page too.
curl -s -N -H "$AUTH $token" "http://$hp/api/events" >"$WORK/runs" &
sse=$!
sleep 0.3
for k in 1 2 3; do sox -q -n -r 8000 -b 16 -c 1 "$WORK/outside-$k.wav" synth 1 sine $((400 + k)) vol 0.5; done
VRP_TEST_HOOK=import.result:700 "$VRP" -q --library "$LIB" import "$WORK"/outside-*.wav &
other=$!
wait "$other"
for _ in $(seq 30); do grep -q '"finished":true' "$WORK/runs" && break; sleep 0.1; done
expect_match "a vrp import in a terminal: import events with its pid" "$(cat "$WORK/runs")" "event: import
data: \{\"imported\":[0-9],.*\"file\":\"outside-[0-9].wav\",\"pid\":$other,\"finished\":false\}"
expect_match "and its last state, saying it finished" "$(cat "$WORK/runs")" "\\{\"imported\":3,\"duplicates\":0,\"rejected\":0,.*\"pid\":$other,\"finished\":true\\}"
"$VRP" -q --library "$LIB" sync --enqueue-only --remote nas
VRP_TEST_HOOK=sync.event:300 "$VRP" -q --library "$LIB" sync --remote nas &
other=$!
wait "$other"
for _ in $(seq 30); do [ "$(grep -c '"finished":true' "$WORK/runs")" -ge 2 ] && break; sleep 0.1; done
kill "$sse"
wait "$sse" 2>/dev/null
expect_match "a vrp sync in a terminal: sync events as the worker's, with its pid" "$(cat "$WORK/runs")" "event: sync
data: \{\"kind\":\"(started|progress|synced)\",\"task_id\":[0-9]+,.*\"remote\":\"nas\",.*\"pid\":$other,\"finished\":false\}"
expect_match "and its last state, saying it finished" "$(cat "$WORK/runs")" "event: sync
data: \\{\"kind\":\"synced\",.*\"files_done\":3,.*\"pid\":$other,\"finished\":true"
for _ in $(seq 30); do ls "$LIB/run" | grep -q . || break; sleep 0.1; done
check "the finished runs left no state behind" sh -c "! ls '$LIB/run' | grep -q ."
stop_server
run "$VRP" --library "$LIB" serve --listen nonsense
expect_status "a bad --listen is refused" 64
expect_match "saying what is expected" "$err" 'HOST:PORT'
finish
