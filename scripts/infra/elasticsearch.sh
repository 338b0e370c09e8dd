# shellcheck shell=bash
# Elasticsearch 8.19.7 from the integ-test zip that upstream publishes on Maven Central.
# It bundles no JDK and carries a reduced module set (HTTP, x-pack core/security; no
# analysis-common, reindex, painless, ingest-geoip). Security is turned off below.
#
# Java choice (ES_JAVA_HOME): an explicit ES_JAVA_HOME wins; else the Temurin 25 JDK
# (/usr/lib/jvm/temurin-25-jdk-amd64), else the newest JDK 21+ under /usr/lib/jvm, else
# Java 17 from JAVA_HOME/PATH. Why: ES 8.19's regular distributions bundle a current JDK
# (24/25), so that is what upstream runs it on, and Lucene uses the Panama vector API
# there. 8.19.7 also starts and serves on the Debian JDK 17 (checked), hence the fallback.

ES_VERSION="${ES_VERSION:-8.19.7}"
ES_ARTIFACT="org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ES_VERSION:zip"
ES_CLUSTER_NAME=rentezy

define_component elasticsearch "$ELASTICSEARCH_PORT $ELASTICSEARCH_TRANSPORT_PORT" 180 TERM pid 60

es_home() { printf '%s/elasticsearch-%s' "$RENTEZY_CACHE" "$ES_VERSION"; }
# logs/elasticsearch.log is a symlink to the server's own plain-text log, which lives in
# a directory the service user can write.
elasticsearch_log() { printf '%s/elasticsearch.log' "$LOG_DIR"; }
es_launcher_log() { printf '%s/elasticsearch-launcher.log' "$LOG_DIR"; }
elasticsearch_match() { printf -- '-Des.path.home=%s' "$(es_home)"; }

# Major version of a JDK directory, from its release file (cheap) or by running it.
jdk_major() { # dir
    local v
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release" 2>/dev/null)
    [[ -n $v ]] || v=$(java_major "$1/bin/java")
    printf '%s' "$v"
}

# Sets ES_JAVA to a JDK/JRE home per the order explained at the top of this file.
es_pick_java() {
    local cand major best="" best_major=0 java_bin
    if [[ -n ${ES_JAVA_HOME:-} ]]; then
        [[ -x $ES_JAVA_HOME/bin/java ]] || die "elasticsearch: ES_JAVA_HOME=$ES_JAVA_HOME has no bin/java"
        ES_JAVA=$ES_JAVA_HOME
        return 0
    fi
    if [[ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]]; then
        ES_JAVA=/usr/lib/jvm/temurin-25-jdk-amd64
        return 0
    fi
    for cand in /usr/lib/jvm/*/; do
        cand=${cand%/}
        [[ -x $cand/bin/java && ! -L $cand ]] || continue
        major=$(jdk_major "$cand")
        if [[ -n $major ]] && ((major >= 21 && major > best_major)); then
            best=$cand
            best_major=$major
        fi
    done
    if [[ -n $best ]]; then
        ES_JAVA=$best
        return 0
    fi
    require_java 17 # JAVA_HOME / PATH, or the one-line error
    java_bin=$(readlink -f "$JAVA")
    ES_JAVA=${java_bin%/bin/java}
}

elasticsearch_setup() {
    local home zip tmp
    require_cmd curl curl
    es_pick_java
    ensure_svc_user
    home=$(es_home)
    [[ -f $home/.complete ]] && return 0
    require_cmd unzip unzip
    # Maven may already hold the zip (e.g. from an earlier dependency:get); else fetch it.
    zip="$HOME/.m2/repository/org/elasticsearch/distribution/integ-test-zip/elasticsearch/$ES_VERSION/elasticsearch-$ES_VERSION.zip"
    if [[ ! -s $zip ]]; then
        zip="$RENTEZY_CACHE/downloads/elasticsearch-$ES_VERSION.zip"
        if [[ ! -s $zip ]]; then
            require_cmd mvn maven "maven (mvn)"
            log "elasticsearch: fetching $ES_ARTIFACT with mvn"
            mkdir -p "$RENTEZY_CACHE/downloads"
            (cd "$RENTEZY_CACHE/downloads" && mvn -q -B dependency:copy -Dartifact="$ES_ARTIFACT" \
                -DoutputDirectory="$RENTEZY_CACHE/downloads") >>"$LOG_DIR/elasticsearch-setup.log" 2>&1 ||
                die "elasticsearch: mvn dependency:copy $ES_ARTIFACT failed; see $LOG_DIR/elasticsearch-setup.log"
        fi
    fi
    log "elasticsearch: unpacking $zip into $home"
    tmp="$home.tmp.$$"
    rm -rf "$tmp" "$home"
    mkdir -p "$tmp"
    unzip -q "$zip" -d "$tmp" || die "elasticsearch: unzip $zip failed"
    mv "$tmp/elasticsearch-$ES_VERSION" "$home"
    rm -rf "$tmp"
    chmod -R a+rX "$home"
    touch "$home/.complete"
}

# Per-instance config, data, logs and tmp, owned by the service user.
es_prepare_dirs() { # root
    local root=$1 d
    if [[ $(cat "$root/config/.es-version" 2>/dev/null) != "$ES_VERSION" ]]; then
        rm -rf "$root/config"
        cp -R "$(es_home)/config" "$root/config"
        printf '%s\n' "$ES_VERSION" >"$root/config/.es-version"
    fi
    mkdir -p "$root/data" "$root/logs" "$root/tmp"
    touch "$root/logs/$ES_CLUSTER_NAME.log"
    if [[ $IS_ROOT -eq 1 ]]; then
        for d in config data logs tmp; do
            [[ $(stat -c %U "$root/$d") == "$SVC_USER" ]] || chown -R "$SVC_USER:" "$root/$d"
        done
        chown "$SVC_USER:" "$root/logs/$ES_CLUSTER_NAME.log"
    fi
    ln -sfn "$root/logs/$ES_CLUSTER_NAME.log" "$(elasticsearch_log)"
}

elasticsearch_start() {
    local root pid
    local -a svc=()
    root=$(svc_dir elasticsearch)
    es_prepare_dirs "$root"
    rm -f "$root/elasticsearch.pid"
    [[ $IS_ROOT -eq 1 ]] && svc=(runuser -u "$SVC_USER" --)
    # -d: the CLI returns once the node has started (or failed); the server keeps running
    # on its own. setsid -w: new session, so it does not belong to the caller's terminal.
    # CLI_JAVA_OPTS: the launcher JVM would otherwise leave final-flags* dirs in /tmp.
    # Settings: single node on loopback, security and ML off, no disk watermarks (small
    # CI disks), and wildcard index deletes allowed (test cleanup; dev only).
    if ! (cd "$root" && setsid -w "${svc[@]}" env \
        ES_JAVA_HOME="$ES_JAVA" ES_PATH_CONF="$root/config" ES_TMPDIR="$root/tmp" \
        ES_JAVA_OPTS="-Xms512m -Xmx512m" CLI_JAVA_OPTS="-Djava.io.tmpdir=$root/tmp" \
        "$(es_home)/bin/elasticsearch" -d -p "$root/elasticsearch.pid" \
        -E cluster.name="$ES_CLUSTER_NAME" -E node.name=rentezy-1 \
        -E discovery.type=single-node -E network.host="$HOST" \
        -E http.port="$ELASTICSEARCH_PORT" -E transport.port="$ELASTICSEARCH_TRANSPORT_PORT" \
        -E path.data="$root/data" -E path.logs="$root/logs" \
        -E xpack.security.enabled=false -E xpack.ml.enabled=false \
        -E cluster.routing.allocation.disk.threshold_enabled=false \
        -E action.destructive_requires_name=false \
        </dev/null) >>"$(es_launcher_log)" 2>&1 {LOCK_FD}>&-; then
        show_log_tail "$(es_launcher_log)"
        die "elasticsearch: failed to start (java: $ES_JAVA); see $(es_launcher_log) and $(elasticsearch_log)"
    fi
    pid=$(cat "$root/elasticsearch.pid" 2>/dev/null || true)
    [[ $pid =~ ^[0-9]+$ ]] || die "elasticsearch: no pid in $root/elasticsearch.pid after start"
    write_pidfile elasticsearch "$pid"
}

elasticsearch_ready() {
    curl -sf -o /dev/null --max-time 5 \
        "http://$HOST:$ELASTICSEARCH_PORT/_cluster/health?wait_for_status=yellow&timeout=2s"
}
