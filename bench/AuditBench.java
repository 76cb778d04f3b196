// Audit benchmark: auditor query latency at 1M+ audit rows, export rows/s and hash-chain verification events/s,
// each beside the same machine's raw PostgreSQL limit measured in the same run.
//
// Run through `./celaest bench audit` (bench/run), or by hand (PG = the PostgreSQL JDBC jar, e.g.
// ~/.m2/repository/org/postgresql/postgresql/<v>/postgresql-<v>.jar; BenchSupport.java holds the shared parts):
//   javac -d /tmp/bench -cp $PG bench/BenchSupport.java bench/AuditBench.java
//   java -cp /tmp/bench:$PG bench.AuditBench \
//        [--rows 1000000] [--clients 16] [--seconds 20] [--warmup 5] [--rounds 3] [--initial-warmup 20]
//        [--export-rows 500000] [--min-events 20000] [--tenant-share 25]
// Environment: CELAEST_BENCH_BASE_URL (default http://localhost:8080), CELAEST_BENCH_ADMIN_KEY (required),
//              CELAEST_DB_URL / CELAEST_DB_USER / CELAEST_DB_PASSWORD (default the private cluster, celaest/celaest).
//
// 1. Seed (once, resumable): --rows synthetic rows straight into audit_logs with INSERT … SELECT … generate_series,
//    event_global_index = 10^12 + i (real events never get there), spread over 200 organizations (a few large),
//    12,000 actors, 10 actions, 90 days (2026-08-26 … 2026-11-24). Organization #1 of the seed is a real
//    organization (slug bench-audit-tenant, created through the API) so that an org key with audit:read can query
//    it. A second run finds the rows above 10^12 and reuses them. VACUUM ANALYZE afterwards.
//    Verification needs real events: when the event log holds fewer than --min-events, users are added through
//    the API until it does. Everything waits until the projections (audit_logs, event_chain, …) have caught up.
// 2. Queries: --clients closed-loop clients, rounds of [platform window, raw window]. Platform = GET
//    /api/v1/audit-logs (limit 50) with a mix of auditor filters, as the platform admin and (--tenant-share %) with
//    the org key; "org" queries follow nextCursor for 2 more pages. Raw = the exact SQL AuditLogSql builds, over
//    JDBC in a read-only transaction as celaest_reader with the tenant set (what TenantReads does), same mix.
// 3. Export: GET /api/v1/audit-logs/export (csv and jsonl) of the first --export-rows seeded rows (a time range),
//    lines counted while streaming; beside it a raw sequential scan of the whole audit_logs over JDBC (fetch size
//    1000, every column read), the export's own SQL over JDBC, and COPY (that SQL) TO STDOUT CSV.
// 4. Verify: GET /api/v1/audit/verify over the whole log; beside it a raw sequential scan of domain_event_entry
//    (the chained columns incl. payload and meta_data bytes) and the same verification redone in this program.
// Every figure is a median over --rounds; CPU of the server, PostgreSQL, this program and other processes is read
// from /proc. The seed stays (delete with DELETE FROM audit_logs WHERE event_global_index > 1000000000000);
// the org key is revoked at the end.

package bench;

import static bench.BenchSupport.*;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public class AuditBench {

    // options
    static long rows = 1_000_000;
    static int clients = 16;
    static int seconds = 20;
    static int warmup = 5;
    static int rounds = 3;
    static int initialWarmup = 20;
    static long exportRows = 500_000;
    static long minEvents = 20_000;
    static int tenantShare = 25;

    static final long SEED_OFFSET = 1_000_000_000_000L;
    static final Instant SEED_START = Instant.parse("2026-08-26T00:00:00Z");
    static final Duration SEED_SPAN = Duration.ofDays(90);
    static final int SEED_ORGS = 200;
    static final String TENANT_SLUG = "bench-audit-tenant";
    static final int PAGE = 50;
    static final int MAX_ERROR_SAMPLES = 5;
    static final String READER = "celaest_reader";
    static final String PLATFORM_READER = "celaest_platform_reader";

    static final Pattern NEXT = Pattern.compile("\"nextCursor\"\\s*:\\s*\"([^\"]+)\"");
    static final Pattern CHECKED = Pattern.compile("\"checkedEvents\"\\s*:\\s*(\\d+)");
    static final Pattern VERIFIED = Pattern.compile("\"verified\"\\s*:\\s*(true|false)");

    static String tenantKey;
    static UUID tenantOrg, tenantKeyId;

    public static void main(String[] args) throws Exception {
        program = "AuditBench";
        parseArgs(args);
        readEnvironment();

        String pgVersion;
        try (Connection c = connect(); Statement s = c.createStatement()) {
            pgVersion = one(s, "SHOW server_version");
            System.out.printf("PostgreSQL %s: shared_buffers=%s work_mem=%s max_parallel_workers_per_gather=%s jit=%s "
                            + "random_page_cost=%s%n", pgVersion, one(s, "SHOW shared_buffers"), one(s, "SHOW work_mem"),
                    one(s, "SHOW max_parallel_workers_per_gather"), one(s, "SHOW jit"), one(s, "SHOW random_page_cost"));
            findPostmaster(s);
        }
        long started = System.nanoTime();

        // ---- 1. data ----
        tenantOrg = ensureTenantOrganization();
        topUpEvents();
        awaitProjections(1800);
        seed();
        tenantKey = createTenantKey();
        Pools pools = samplePools();
        System.out.printf(Locale.ROOT, "setup took %.0f s%n%n", (System.nanoTime() - started) / 1e9);

        long t0 = System.nanoTime();
        Map<String, List<QueryResult>> queries = new LinkedHashMap<>();
        List<Map<String, Double>> exports = new ArrayList<>();
        List<Map<String, Double>> verifies = new ArrayList<>();
        try {
            // ---- 2. queries ----
            if (initialWarmup > 0) {
                System.out.printf("query warm-up: %d s through the API (not measured)%n", initialWarmup);
                queryPhase(true, 0, initialWarmup, 0, pools);
            }
            queries.put("platform", new ArrayList<>());
            queries.put("raw", new ArrayList<>());
            for (int round = 1; round <= rounds; round++) {
                QueryResult p = queryPhase(true, round, warmup, seconds, pools);
                queries.get("platform").add(p);
                printQueries("round " + round + " platform", p);
                QueryResult r = queryPhase(false, round, warmup, seconds, pools);
                queries.get("raw").add(r);
                printQueries("round " + round + " raw SQL ", r);
            }
            System.out.printf(Locale.ROOT, "queries took %.0f s%n%n", (System.nanoTime() - t0) / 1e9);

            // ---- 3. export ----
            t0 = System.nanoTime();
            Instant exportTo = SEED_START.plusMillis((long) (SEED_SPAN.toMillis() * Math.min(1.0, (double) exportRows / rows)));
            System.out.printf("export: seeded rows with occurred_at in [%s, %s)%n", SEED_START, exportTo);
            exportHttp("csv", SEED_START, exportTo, true);   // warm-up of the export path, not measured
            for (int round = 1; round <= rounds; round++) {
                Map<String, Double> m = new LinkedHashMap<>();
                measure(m, "export csv", () -> exportHttp("csv", SEED_START, exportTo, false));
                measure(m, "raw seq scan audit_logs", AuditBench::rawSeqScanAuditLogs);
                measure(m, "export jsonl", () -> exportHttp("jsonl", SEED_START, exportTo, false));
                measure(m, "raw export SQL", () -> rawExportSql(SEED_START, exportTo));
                measure(m, "raw COPY csv", () -> rawCopy(SEED_START, exportTo));
                exports.add(m);
            }
            System.out.printf(Locale.ROOT, "export took %.0f s%n%n", (System.nanoTime() - t0) / 1e9);

            // ---- 4. verify ----
            t0 = System.nanoTime();
            for (int round = 1; round <= rounds; round++) {
                Map<String, Double> m = new LinkedHashMap<>();
                measure(m, "verify", AuditBench::verifyHttp);
                measure(m, "raw seq scan events", AuditBench::rawSeqScanEvents);
                measure(m, "verify redone in bench", AuditBench::verifyInBench);
                verifies.add(m);
            }
            System.out.printf(Locale.ROOT, "verify took %.0f s%n", (System.nanoTime() - t0) / 1e9);
            summary(queries, exports, verifies, pgVersion);
        } finally {
            revokeTenantKey();
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Setup
    // ------------------------------------------------------------------------------------------------------------

    /** The real organization whose id seed organization #1 uses: found by slug, else created through the API. */
    static UUID ensureTenantOrganization() throws Exception {
        UUID existing = tenantFromReadModel();
        if (existing != null) return existing;
        try (LeanHttp http = http()) {
            Reply r = http.send("POST", "/api/v1/organizations", adminKey, "{\"name\":\"Audit bench tenant\",\"slug\":\""
                    + TENANT_SLUG + "\",\"plan\":\"enterprise\"}", false);
            if (r.status() == 201) {
                Matcher m = ID.matcher(r.body());
                if (!m.find()) die("no id in " + r.body());
                System.out.println("created organization " + TENANT_SLUG + " " + m.group(1));
                return UUID.fromString(m.group(1));
            }
            for (int i = 0; i < 50; i++) {                     // 409: created by a run whose projection lags
                existing = tenantFromReadModel();
                if (existing != null) return existing;
                Thread.sleep(200);
            }
            die("could not create organization " + TENANT_SLUG + ": " + r.status() + " " + abbreviate(r.body()));
            return null;
        }
    }

    static UUID tenantFromReadModel() throws SQLException {
        try (Connection c = connect(); PreparedStatement s = c.prepareStatement("SELECT id FROM organizations WHERE slug = ?")) {
            s.setString(1, TENANT_SLUG);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getObject(1, UUID.class) : null;
            }
        }
    }

    /** Real events for verification: adds users through the API (16 clients) until the log holds --min-events. */
    static void topUpEvents() throws Exception {
        long have;
        try (Connection c = connect(); Statement s = c.createStatement()) {
            have = Long.parseLong(one(s, "SELECT count(*) FROM domain_event_entry"));
        }
        long missing = minEvents - have;
        System.out.printf("event log: %d events%s%n", have, missing > 0 ? ", adding " + missing + " through the API" : "");
        if (missing <= 0) return;
        String run = Long.toString(System.currentTimeMillis() / 1000 % 10_000_000, 36);
        AtomicLong left = new AtomicLong(missing);
        AtomicLong errors = new AtomicLong();
        CountDownLatch done = new CountDownLatch(clients);
        long start = System.nanoTime();
        for (int t = 0; t < clients; t++) {
            int client = t;
            new Thread(() -> {
                try (LeanHttp http = http()) {
                    String org = null;
                    int users = 0, orgs = 0;
                    while (left.getAndDecrement() > 0 && errors.get() < 100) {
                        Reply r;
                        if (org == null || users >= 200) {
                            String slug = "bench-audit-" + run + "-" + client + "-" + orgs++;
                            r = http.send("POST", "/api/v1/organizations", adminKey, "{\"name\":\"Bench " + slug
                                    + "\",\"slug\":\"" + slug + "\",\"plan\":\"enterprise\"}", false);
                            Matcher m = ID.matcher(r.body());
                            org = r.status() == 201 && m.find() ? m.group(1) : null;
                            users = 0;
                        } else {
                            r = http.send("POST", "/api/v1/organizations/" + org + "/users", adminKey,
                                    "{\"email\":\"auditor" + users + "@bench.example\",\"name\":\"Audit Bench " + users
                                            + "\",\"role\":\"member\"}", false);
                            users++;
                        }
                        if (r.status() != 201 && errors.incrementAndGet() <= MAX_ERROR_SAMPLES) {
                            System.out.println("  top-up error: " + r.status() + " " + abbreviate(r.body()));
                        }
                    }
                } catch (IOException e) {
                    System.out.println("  top-up client failed: " + e);
                } finally {
                    done.countDown();
                }
            }).start();
        }
        done.await();
        System.out.printf(Locale.ROOT, "  added in %.0f s (%d errors)%n", (System.nanoTime() - start) / 1e9, errors.get());
    }

    static final Pattern TOKEN_INDEX = Pattern.compile("\"index\"\\s*:\\s*(\\d+)");

    /**
     * Waits until every processor's token has reached the event log's head (projections write audit_logs and
     * event_chain asynchronously; their backlog must not run during a measurement). A replay token counts by its
     * current position, not by the position it replays up to.
     */
    static void awaitProjections(int timeoutSeconds) throws Exception {
        long start = System.nanoTime();
        long lastPrint = start;
        try (Connection c = connect(); Statement s = c.createStatement()) {
            long head = Long.parseLong(one(s, "SELECT coalesce(max(global_index), 0) FROM domain_event_entry"));
            while (true) {
                long min = Long.MAX_VALUE;
                String behind = null;
                try (ResultSet rs = s.executeQuery("SELECT processor_name, convert_from(token, 'UTF8') FROM token_entry "
                        + "WHERE token IS NOT NULL")) {
                    while (rs.next()) {
                        long at = tokenPosition(rs.getString(2));
                        if (at < min) {
                            min = at;
                            behind = rs.getString(1);
                        }
                    }
                }
                if (min == Long.MAX_VALUE || min >= head) break;
                long now = System.nanoTime();
                if (now - start > timeoutSeconds * 1_000_000_000L) {
                    System.out.printf("  projections still behind after %d s (%s at %d of %d); continuing%n",
                            timeoutSeconds, behind, min, head);
                    return;
                }
                if (now - lastPrint > 15_000_000_000L) {
                    System.out.printf("  waiting for projections: %s at %d of %d%n", behind, min, head);
                    lastPrint = now;
                }
                Thread.sleep(300);
            }
        }
        double took = (System.nanoTime() - start) / 1e9;
        if (took > 1) System.out.printf(Locale.ROOT, "  projections caught up with the event log in %.0f s%n", took);
    }

    static long tokenPosition(String json) {
        int current = json.indexOf("\"currentToken\"");
        if (current >= 0) {
            String rest = json.substring(current + "\"currentToken\"".length()).stripLeading();
            if (rest.startsWith(":")) rest = rest.substring(1).stripLeading();
            if (rest.startsWith("null")) return 0;
            json = rest;
        }
        Matcher m = TOKEN_INDEX.matcher(json);
        return m.find() ? Long.parseLong(m.group(1)) : Long.MAX_VALUE;
    }

    /** Inserts the synthetic rows that are missing (resumable, 100k rows per transaction), then VACUUM ANALYZE. */
    static void seed() throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            long have = Long.parseLong(one(s, "SELECT count(*) FROM audit_logs WHERE event_global_index > " + SEED_OFFSET));
            long last = have == 0 ? 0
                    : Long.parseLong(one(s, "SELECT max(event_global_index) FROM audit_logs WHERE event_global_index > "
                    + SEED_OFFSET)) - SEED_OFFSET;
            if (have > 0) {
                long tenantRows;
                try (PreparedStatement p = c.prepareStatement("SELECT count(*) FROM audit_logs WHERE organization_id = ? "
                        + "AND event_global_index > " + SEED_OFFSET)) {
                    p.setObject(1, tenantOrg);
                    try (ResultSet rs = p.executeQuery()) {
                        rs.next();
                        tenantRows = rs.getLong(1);
                    }
                }
                if (tenantRows == 0) {
                    System.out.println("seed: existing seed rows are not tied to organization " + tenantOrg
                            + " (the organization was recreated): deleting and reseeding");
                    s.execute("DELETE FROM audit_logs WHERE event_global_index > " + SEED_OFFSET);
                    have = 0;
                    last = 0;
                }
            }
            if (have >= rows) {
                System.out.printf("seed: reusing %d seeded audit rows (event_global_index > 10^12)%n", have);
                s.execute("ANALYZE audit_logs");
                return;
            }
            System.out.printf("seed: inserting rows %d…%d into audit_logs%n", last + 1, rows);
            long start = System.nanoTime();
            c.setAutoCommit(false);
            final long chunk = 100_000;
            for (long lo = last + 1; lo <= rows; lo += chunk) {
                long hi = Math.min(rows, lo + chunk - 1);
                try (PreparedStatement seed = c.prepareStatement("SELECT setseed(?)")) {
                    seed.setDouble(1, (lo % 1_000_003) / 1_000_003.0);
                    seed.executeQuery().close();
                }
                try (PreparedStatement insert = c.prepareStatement(SEED_SQL)) {
                    insert.setLong(1, rows);
                    insert.setObject(2, tenantOrg);
                    insert.setLong(3, lo);
                    insert.setLong(4, hi);
                    insert.executeUpdate();
                }
                c.commit();
                System.out.printf(Locale.ROOT, "  %d rows (%.0f s)%n", hi, (System.nanoTime() - start) / 1e9);
            }
            c.setAutoCommit(true);
            long t = System.nanoTime();
            s.execute("VACUUM (ANALYZE) audit_logs");
            System.out.printf(Locale.ROOT, "seed: %d rows in %.0f s, VACUUM ANALYZE %.0f s%n", rows - last,
                    (t - start) / 1e9, (System.nanoTime() - t) / 1e9);
        }
    }

    /**
     * Row i of the seed. Organization number k = floor(200 · r^3): #0 holds ~17% of the rows, #1 ~4.4% (the real
     * tenant), #199 ~0.2%. 60 actors per organization (skewed), 3000 users per organization as resources, 10 kinds
     * of entries (user create/update/delete, organization update/suspend, api key create/revoke, access denied,
     * command rejected, erasure), time and global index increasing together as in a real log.
     */
    static final String SEED_SQL = """
            INSERT INTO audit_logs (id, event_global_index, event_identifier, occurred_at, organization_id, actor_id,
                                    actor_kind, action, resource_type, resource_id, outcome, failure_reason,
                                    client_ip, user_agent, correlation_id, event_type, changes)
            SELECT md5('celaest-bench-audit-row-' || i)::uuid,
                   1000000000000 + i,
                   md5('celaest-bench-audit-event-' || i)::uuid::text,
                   timestamptz '2026-08-26 00:00:00+00' + (i - 1) * (interval '90 days' / n),
                   CASE WHEN k = 1 THEN tenant ELSE md5('celaest-bench-audit-org-' || k)::uuid END,
                   CASE WHEN kind = 'system' OR (b = 7 AND a % 5 = 0) THEN NULL
                        WHEN kind = 'platform_admin' THEN 'platform-admin'
                        ELSE md5('celaest-bench-audit-actor-' || k || '-' || a)::uuid::text END,
                   CASE WHEN b = 7 AND a % 5 = 0 THEN 'anonymous' ELSE kind END,
                   (ARRAY['create','update','delete','update','create','delete','deny','deny','reject','erase'])[b],
                   (ARRAY['user','user','user','organization','api_key','api_key','endpoint','endpoint','command','user'])[b],
                   CASE WHEN b IN (1, 2, 3, 10) THEN md5('celaest-bench-audit-user-' || k || '-' || u)::uuid::text
                        WHEN b = 4 THEN CASE WHEN k = 1 THEN tenant::text ELSE md5('celaest-bench-audit-org-' || k)::uuid::text END
                        WHEN b IN (5, 6) THEN md5('celaest-bench-audit-key-' || k || '-' || (u % 40))::uuid::text
                        WHEN b IN (7, 8) THEN 'POST /api/v1/organizations/' || md5('celaest-bench-audit-org-' || k)::uuid || '/users'
                        ELSE md5('celaest-bench-audit-user-' || k || '-' || u)::uuid::text END,
                   CASE WHEN b IN (7, 8, 9) THEN 'failure' ELSE 'success' END,
                   CASE WHEN b = 7 THEN '401: missing or invalid bearer token'
                        WHEN b = 8 THEN '403: this needs the scope ''users:write'''
                        WHEN b = 9 THEN '409 USER_LIMIT_REACHED: the organization has reached its limit of users'
                        END,
                   '10.' || (k % 256) || '.' || (a % 256) || '.' || (u % 250 + 1),
                   (ARRAY['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36',
                          'curl/8.5.0', 'celaest-sdk-java/1.4.2', 'python-requests/2.32.3'])[1 + a % 4],
                   md5('celaest-bench-audit-correlation-' || i)::uuid::text,
                   (ARRAY['UserAdded','UserRoleChanged','UserDeactivated','OrganizationSettingsUpdated','ApiKeyCreated',
                          'ApiKeyRevoked','AccessDenied','AccessDenied','CommandRejected','UserErased'])[b],
                   CASE b WHEN 1 THEN format('{"name": {"after": "User %s", "before": null}, "role": {"after": "MEMBER", '
                                     || '"before": null}, "email": {"after": "user%s@org%s.example", "before": null}, '
                                     || '"scopes": {"after": [], "before": null}}', u, u, k)::jsonb
                          WHEN 2 THEN '{"role": {"after": "ADMIN", "before": "MEMBER"}}'::jsonb
                          WHEN 4 THEN format('{"settings": {"after": {"locale": "en", "retentionDays": %s}}}', 30 + u % 365)::jsonb
                          WHEN 5 THEN format('{"name": {"after": "ci key %s", "before": null}, "scopes": {"after": '
                                     || '["users:read"], "before": null}, "keyPrefix": {"after": "cel_%s", "before": null}}',
                                     u % 40, substr(md5(k || '-' || u), 1, 8))::jsonb
                          END
            FROM (SELECT i, ?::bigint AS n, ?::uuid AS tenant,
                         floor(200 * r1 ^ 3)::int AS k,
                         floor(60 * r2 ^ 2)::int AS a,
                         floor(3000 * r4)::int AS u,
                         CASE WHEN r3 < 0.38 THEN 1 WHEN r3 < 0.55 THEN 2 WHEN r3 < 0.60 THEN 3 WHEN r3 < 0.68 THEN 4
                              WHEN r3 < 0.73 THEN 5 WHEN r3 < 0.75 THEN 6 WHEN r3 < 0.83 THEN 7 WHEN r3 < 0.90 THEN 8
                              WHEN r3 < 0.995 THEN 9 ELSE 10 END AS b,
                         CASE WHEN r5 < 0.80 THEN 'user' WHEN r5 < 0.95 THEN 'api_key'
                              WHEN r5 < 0.99 THEN 'platform_admin' ELSE 'system' END AS kind
                  FROM (SELECT i, random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5
                        FROM generate_series(?::bigint, ?::bigint) AS i OFFSET 0) AS draws) AS t
            """;

    /** A key of the tenant with only audit:read, created through the API for this run. */
    static String createTenantKey() throws IOException {
        try (LeanHttp http = http()) {
            Reply r = http.send("POST", "/api/v1/organizations/" + tenantOrg + "/api-keys", adminKey,
                    "{\"name\":\"audit bench\",\"scopes\":[\"audit:read\"]}", false);
            if (r.status() != 201) die("could not create the org key: " + r.status() + " " + abbreviate(r.body()));
            Matcher k = KEY.matcher(r.body());
            Matcher id = ID.matcher(r.body());
            if (!k.find() || !id.find()) die("no key in " + abbreviate(r.body()));
            tenantKeyId = UUID.fromString(id.group(1));
            return k.group(1);
        }
    }

    static void revokeTenantKey() {
        if (tenantKeyId == null) return;
        try (LeanHttp http = http()) {
            Reply r = http.send("DELETE", "/api/v1/organizations/" + tenantOrg + "/api-keys/" + tenantKeyId, adminKey,
                    null, false);
            if (r.status() != 204) System.out.println("could not revoke the org key: " + r.status());
        } catch (IOException e) {
            System.out.println("could not revoke the org key: " + e);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Query mix
    // ------------------------------------------------------------------------------------------------------------

    record Sample(UUID org, String actor, String resourceType, String resourceId, String action, String outcome) {
    }

    /** Filter values drawn from the seeded rows (weighted by frequency, as auditors look where activity is). */
    record Pools(List<Sample> all, List<Sample> tenant) {
    }

    static Pools samplePools() throws SQLException {
        String columns = "organization_id, actor_id, resource_type, resource_id, action, outcome";
        try (Connection c = connect(); Statement s = c.createStatement()) {
            long total = Long.parseLong(one(s, "SELECT count(*) FROM audit_logs"));
            double percent = Math.min(100, 8000.0 * 100 / Math.max(1, total));
            List<Sample> all = samples(s, "SELECT " + columns + " FROM audit_logs TABLESAMPLE BERNOULLI ("
                    + String.format(Locale.ROOT, "%.4f", percent) + ") REPEATABLE (7) WHERE event_global_index > " + SEED_OFFSET);
            List<Sample> tenant = samples(s, "SELECT " + columns + " FROM audit_logs WHERE organization_id = '" + tenantOrg
                    + "' AND event_global_index > " + SEED_OFFSET + " ORDER BY md5(id::text) LIMIT 2000");
            long tenantRows = Long.parseLong(one(s, "SELECT count(*) FROM audit_logs WHERE organization_id = '" + tenantOrg + "'"));
            System.out.printf("audit_logs: %d rows (%d seeded), table %s + indexes %s; tenant %s has %d rows; "
                            + "filter values sampled from %d rows%n", total,
                    Long.parseLong(one(s, "SELECT count(*) FROM audit_logs WHERE event_global_index > " + SEED_OFFSET)),
                    one(s, "SELECT pg_size_pretty(pg_table_size('audit_logs'))"),
                    one(s, "SELECT pg_size_pretty(pg_indexes_size('audit_logs'))"), tenantOrg, tenantRows, all.size());
            if (all.isEmpty() || tenant.isEmpty()) die("no seeded rows to sample filter values from");
            return new Pools(all, tenant);
        }
    }

    static List<Sample> samples(Statement s, String sql) throws SQLException {
        List<Sample> list = new ArrayList<>();
        try (ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                list.add(new Sample(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getString(6)));
            }
        }
        return list;
    }

    static final String[] KINDS = {"org", "org+time", "actor", "resource", "action+outcome"};
    static final String CURSOR_KIND = "org, pages 2-3";

    /** One auditor query; org is what the caller names (a tenant's own organization is added by the server anyway). */
    record Query(String kind, boolean tenant, UUID org, String actor, String resourceType, String resourceId,
                 String action, String outcome, Instant from, Instant to) {

        static Query random(Random rnd, Pools pools, boolean tenant, String kind) {
            List<Sample> pool = tenant ? pools.tenant() : pools.all();
            Sample s = pool.get(rnd.nextInt(pool.size()));
            while ((kind.equals("actor") && s.actor() == null) || (kind.equals("resource") && s.resourceId() == null)) {
                s = pool.get(rnd.nextInt(pool.size()));
            }
            return switch (kind) {
                case "org" -> new Query(kind, tenant, s.org(), null, null, null, null, null, null, null);
                case "org+time" -> {
                    long days = new long[]{1, 7, 30}[rnd.nextInt(3)];
                    long span = SEED_SPAN.toSeconds() - days * 86400;
                    Instant from = SEED_START.plusSeconds((long) (rnd.nextDouble() * span));
                    yield new Query(kind, tenant, s.org(), null, null, null, null, null, from, from.plusSeconds(days * 86400));
                }
                case "actor" -> new Query(kind, tenant, tenant ? s.org() : null, s.actor(), null, null, null, null, null, null);
                case "resource" -> new Query(kind, tenant, tenant ? s.org() : null, null, s.resourceType(), s.resourceId(),
                        null, null, null, null);
                default -> new Query(kind, tenant, tenant ? s.org() : null, null, null, null, s.action(), s.outcome(), null, null);
            };
        }

        String path(String cursor) {
            StringBuilder b = new StringBuilder("/api/v1/audit-logs?limit=").append(PAGE);
            param(b, "organizationId", org);
            param(b, "actorId", actor);
            param(b, "resourceType", resourceType);
            param(b, "resourceId", resourceId);
            param(b, "action", action);
            param(b, "outcome", outcome);
            param(b, "from", from);
            param(b, "to", to);
            param(b, "cursor", cursor);
            return b.toString();
        }

        static void param(StringBuilder b, String name, Object value) {
            if (value != null) b.append('&').append(name).append('=').append(URLEncoder.encode(value.toString(), StandardCharsets.UTF_8));
        }

        /** The statement AuditLogSql.select builds for this filter within one range {first, last}, with its parameters. */
        Sql sql(Long afterIndex, Integer limit, long[] range) {
            StringBuilder sql = new StringBuilder("SELECT " + AUDIT_COLUMNS + " FROM audit_logs WHERE true");
            List<Object> params = new ArrayList<>();
            condition(sql, params, "organization_id = ?", tenant ? tenantOrg : org);
            condition(sql, params, "actor_id = ?", actor);
            condition(sql, params, "resource_type = ?", resourceType);
            condition(sql, params, "resource_id = ?", resourceId);
            condition(sql, params, "action = ?", action);
            condition(sql, params, "outcome = ?", outcome);
            condition(sql, params, "occurred_at >= ?", from == null ? null : from.atOffset(ZoneOffset.UTC));
            condition(sql, params, "occurred_at < ?", to == null ? null : to.atOffset(ZoneOffset.UTC));
            condition(sql, params, "event_global_index > ?", afterIndex);
            condition(sql, params, "event_global_index >= ?", range[0] == Long.MIN_VALUE ? null : range[0]);
            condition(sql, params, "event_global_index <= ?", range[1] == Long.MAX_VALUE ? null : range[1]);
            sql.append(" ORDER BY event_global_index");
            if (limit != null) {
                sql.append(" LIMIT ?");
                params.add(limit);
            }
            return new Sql(sql.toString(), params);
        }

        /**
         * AuditLogSql.ranges: the probe of the equality filters (first/last global index of each filter's rows),
         * then, with from/to, the islands of the per-hour summary audit_log_hours; disjoint, ascending.
         */
        List<long[]> ranges(Connection c) throws SQLException {
            List<String> lower = new ArrayList<>(), upper = new ArrayList<>();
            List<Object> lowerParams = new ArrayList<>(), upperParams = new ArrayList<>();
            UUID organization = tenant ? tenantOrg : org;
            if (organization != null) edges(lower, upper, lowerParams, upperParams, "organization_id = ?", organization);
            if (actor != null) edges(lower, upper, lowerParams, upperParams, "actor_id = ?", actor);
            if (resourceType != null && resourceId != null) {
                edges(lower, upper, lowerParams, upperParams, "resource_type = ? AND resource_id = ?", resourceType, resourceId);
            }
            if (action != null && outcome != null) {
                edges(lower, upper, lowerParams, upperParams, "action = ? AND outcome = ?", action, outcome);
            } else if (action != null || outcome != null) {
                throw new IllegalStateException("the bench mixes action and outcome together only");
            }
            long first = Long.MIN_VALUE, last = Long.MAX_VALUE;
            if (!lower.isEmpty()) {
                List<String> columns = new ArrayList<>(lower);
                columns.addAll(upper);
                List<Object> params = new ArrayList<>(lowerParams);
                params.addAll(upperParams);
                try (PreparedStatement p = c.prepareStatement("SELECT " + String.join(", ", columns))) {
                    bind(p, params);
                    try (ResultSet rs = p.executeQuery()) {
                        rs.next();
                        for (int i = 1; i <= columns.size(); i++) {
                            long v = rs.getLong(i);
                            if (rs.wasNull()) return List.of();
                            if (i <= lower.size()) first = Math.max(first, v);
                            else last = Math.min(last, v);
                        }
                    }
                }
                if (first > last) return List.of();
            }
            if (from == null && to == null) return List.of(new long[]{first, last});
            StringBuilder hours = new StringBuilder("""
                    SELECT min(first_index), max(last_index)
                    FROM (SELECT first_index, last_index,
                                 count(*) FILTER (WHERE first_index > reach + ?) OVER (ORDER BY first_index, last_index) AS island
                          FROM (SELECT first_index, last_index,
                                       max(last_index) OVER (ORDER BY first_index, last_index
                                                             ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach
                                FROM audit_log_hours WHERE true""");
            List<Object> params = new ArrayList<>();
            params.add(1000L);
            condition(hours, params, "hour >= ?", from == null ? null : Math.floorDiv(from.getEpochSecond(), 3600));
            condition(hours, params, "hour <= ?", to == null ? null : Math.floorDiv(to.getEpochSecond(), 3600));
            condition(hours, params, "last_index >= ?", first == Long.MIN_VALUE ? null : first);
            condition(hours, params, "first_index <= ?", last == Long.MAX_VALUE ? null : last);
            hours.append(") h) i GROUP BY island ORDER BY 1");
            List<long[]> ranges = new ArrayList<>();
            try (PreparedStatement p = c.prepareStatement(hours.toString())) {
                bind(p, params);
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) ranges.add(new long[]{Math.max(rs.getLong(1), first), Math.min(rs.getLong(2), last)});
                }
            }
            return ranges;                                      // (the server also caps them at 16; never reached here)
        }

        static void edges(List<String> lower, List<String> upper, List<Object> lowerParams, List<Object> upperParams,
                          String condition, Object... values) {
            lower.add("(SELECT min(event_global_index) FROM audit_logs WHERE " + condition + ")");
            upper.add("(SELECT max(event_global_index) FROM audit_logs WHERE " + condition + ")");
            lowerParams.addAll(List.of(values));
            upperParams.addAll(List.of(values));
        }

        static void condition(StringBuilder sql, List<Object> params, String condition, Object value) {
            if (value != null) {
                sql.append(" AND ").append(condition);
                params.add(value);
            }
        }
    }

    record Sql(String text, List<Object> params) {
    }

    static final String AUDIT_COLUMNS = "id, event_global_index, event_identifier, occurred_at, organization_id, actor_id, "
            + "actor_kind, action, resource_type, resource_id, outcome, failure_reason, client_ip, user_agent, "
            + "correlation_id, event_type, changes";

    /** Latencies per "caller / kind" of one measured window. */
    record QueryResult(Map<String, long[]> latencies, long requests, long errors, double seconds, Cpu cpu) {
        double perSecond() { return requests / seconds; }

        long[] all(Function<String, Boolean> keep) {
            List<long[]> parts = new ArrayList<>();
            latencies.forEach((k, v) -> { if (keep.apply(k)) parts.add(v); });
            long[] merged = parts.stream().flatMapToLong(Arrays::stream).sorted().toArray();
            return merged;
        }
    }

    /** One window of the query mix, through the API (platform) or as the same SQL over JDBC (raw). */
    static QueryResult queryPhase(boolean platform, int round, int warmupSeconds, int measuredSeconds, Pools pools)
            throws Exception {
        AtomicLong errors = new AtomicLong();
        ConcurrentLinkedQueue<String> errorSamples = new ConcurrentLinkedQueue<>();
        List<Map<String, LongList>> perClient = new ArrayList<>();
        CountDownLatch done = new CountDownLatch(clients);
        Connection[] connections = new Connection[clients];
        if (!platform) {
            for (int t = 0; t < clients; t++) {
                connections[t] = connect();
                connections[t].setAutoCommit(false);
                connections[t].setReadOnly(true);               // as TenantReads' read-only transaction
            }
        }
        Window window = new Window(warmupSeconds, measuredSeconds);   // starts once the connections are open
        for (int t = 0; t < clients; t++) {
            Map<String, LongList> lat = new HashMap<>();
            perClient.add(lat);
            int client = t;
            new Thread(() -> {
                Random rnd = new Random(round * 1000L + client);
                try (LeanHttp http = platform ? http() : null) {
                    while (!window.over() && errors.get() < 1000) {
                        boolean tenant = rnd.nextInt(100) < tenantShare;
                        String kind = KINDS[rnd.nextInt(KINDS.length)];
                        Query q = Query.random(rnd, pools, tenant, kind);
                        int pages = kind.equals("org") ? 3 : 1;
                        String cursor = null;
                        Long after = null;
                        for (int page = 1; page <= pages; page++) {
                            long start = System.nanoTime();
                            boolean ok;
                            if (platform) {
                                Reply r;
                                try {
                                    r = http.send("GET", q.path(cursor), tenant ? tenantKey : adminKey, null, false);
                                } catch (IOException e) {
                                    r = new Reply(-1, e.toString(), 0, 0);
                                    http.close();
                                }
                                ok = r.status() == 200;
                                if (!ok && errorSamples.size() < MAX_ERROR_SAMPLES) {
                                    errorSamples.add("GET " + q.path(cursor) + " -> " + r.status() + " " + abbreviate(r.body()));
                                }
                                Matcher m = ok ? NEXT.matcher(r.body()) : null;
                                cursor = m != null && m.find() ? m.group(1) : null;
                            } else {
                                try {
                                    after = rawPage(connections[client], q, after);
                                    ok = true;
                                } catch (SQLException e) {
                                    ok = false;
                                    after = null;
                                    if (errorSamples.size() < MAX_ERROR_SAMPLES) errorSamples.add(e.toString());
                                    try {
                                        connections[client].rollback();
                                    } catch (SQLException ignored) {
                                    }
                                }
                            }
                            long end = System.nanoTime();
                            if (!ok) {
                                if (window.measured(start, end)) errors.incrementAndGet();
                                break;
                            }
                            if (window.measured(start, end)) {
                                String key = (tenant ? "org key" : "admin") + " / " + (page == 1 ? kind : CURSOR_KIND);
                                lat.computeIfAbsent(key, k -> new LongList(1024)).add(end - start);
                            }
                            if (platform ? cursor == null : after == null) break;
                        }
                    }
                } catch (Throwable e) {
                    errorSamples.add(Thread.currentThread().getName() + " died: " + e);
                    errors.addAndGet(1000);
                } finally {
                    done.countDown();
                }
            }, (platform ? "platform" : "raw") + "-client-" + t).start();
        }
        done.await();
        if (!platform) for (Connection c : connections) c.close();
        for (String e : errorSamples) System.out.println("  error: " + e);
        Map<String, long[]> merged = new TreeMap<>();
        long requests = 0;
        for (Map<String, LongList> m : perClient) {
            for (Map.Entry<String, LongList> e : m.entrySet()) {
                long[] have = merged.getOrDefault(e.getKey(), new long[0]);
                long[] add = Arrays.copyOf(e.getValue().values, e.getValue().size);
                long[] both = Arrays.copyOf(have, have.length + add.length);
                System.arraycopy(add, 0, both, have.length, add.length);
                merged.put(e.getKey(), both);
                requests += add.length;
            }
        }
        merged.values().forEach(Arrays::sort);
        return new QueryResult(merged, requests, errors.get(), measuredSeconds, window.cpu());
    }

    /** One page as the server runs it: read-only transaction, reader role, tenant settings, the query, every column. */
    static Long rawPage(Connection c, Query q, Long after) throws SQLException {
        try (Statement settings = c.createStatement()) {       // TenantReads.readSnapshot: one round trip
            settings.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ; SET LOCAL ROLE "
                    + (q.tenant() ? READER : PLATFORM_READER) + "; SET LOCAL celaest.organization_id = '"
                    + (q.tenant() ? tenantOrg.toString() : "") + "'; SET LOCAL plan_cache_mode = force_custom_plan; SET LOCAL random_page_cost = 1.1");
        }
        int n = 0;
        long last = 0;
        for (long[] range : q.ranges(c)) {                     // as AuditQueryHandlers: the ranges in turn
            if (n == PAGE + 1) break;
            if (after != null && range[1] <= after) continue;
            Sql sql = q.sql(after, PAGE + 1 - n, range);
            try (PreparedStatement p = c.prepareStatement(sql.text())) {
                bind(p, sql.params());
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        n++;
                        if (n <= PAGE) last = consumeAuditRow(rs);
                    }
                }
            }
        }
        c.commit();
        return n > PAGE ? last : null;
    }

    static void bind(PreparedStatement p, List<Object> params) throws SQLException {
        for (int i = 0; i < params.size(); i++) {
            Object v = params.get(i);
            if (v instanceof String s) p.setString(i + 1, s);
            else p.setObject(i + 1, v);
        }
    }

    /** Reads every column the way AuditLogSql.entry does; returns the global index. */
    static long consumeAuditRow(ResultSet rs) throws SQLException {
        rs.getObject(1, UUID.class);
        long index = rs.getLong(2);
        rs.getString(3);
        rs.getTimestamp(4);
        rs.getObject(5, UUID.class);
        for (int i = 6; i <= 17; i++) rs.getString(i);
        return index;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Export and its baselines
    // ------------------------------------------------------------------------------------------------------------

    interface Measured {
        /** @return {rows, bytes} */
        long[] run() throws Exception;
    }

    static final Map<String, List<Cpu>> CPU_BY_ITEM = new LinkedHashMap<>();
    static final Map<String, List<Double>> ROWS_BY_ITEM = new LinkedHashMap<>();
    static final Map<String, List<Double>> BYTES_BY_ITEM = new LinkedHashMap<>();

    static void measure(Map<String, Double> into, String name, Measured m) throws Exception {
        CpuSnapshot before = CpuSnapshot.take();
        long start = System.nanoTime();
        long[] r = m.run();
        double secs = (System.nanoTime() - start) / 1e9;
        Cpu cpu = CpuSnapshot.take().minus(before);
        double rate = r[0] / secs;
        into.put(name, rate);
        CPU_BY_ITEM.computeIfAbsent(name, k -> new ArrayList<>()).add(cpu);
        ROWS_BY_ITEM.computeIfAbsent(name, k -> new ArrayList<>()).add((double) r[0]);
        BYTES_BY_ITEM.computeIfAbsent(name, k -> new ArrayList<>()).add((double) r[1]);
        System.out.printf(Locale.ROOT, "  %-24s %9d rows in %6.2f s = %8.0f rows/s %7.1f MB/s   CPU µs/row: server %5.1f "
                        + "postgres %5.1f bench %5.1f; other processes %.2f cores%n", name, r[0], secs, rate,
                r[1] / secs / 1e6, cpu.server() / r[0] * 1e6, cpu.postgres() / r[0] * 1e6, cpu.client() / r[0] * 1e6,
                cpu.othersUnknownAsZero() / cpu.wall());
    }

    static long[] exportHttp(String format, Instant from, Instant to, boolean warmupOnly) throws IOException {
        String path = "/api/v1/audit-logs/export?format=" + format + "&from=" + from + "&to=" + to;
        try (LeanHttp http = http()) {
            if (warmupOnly) {
                // a short range: JIT-compiles the export path before the measured exports
                Instant shortTo = from.plus(Duration.ofDays(3));
                Reply r = http.send("GET", "/api/v1/audit-logs/export?format=csv&from=" + from + "&to=" + shortTo, adminKey, null, true);
                Reply j = http.send("GET", "/api/v1/audit-logs/export?format=jsonl&from=" + from + "&to=" + shortTo, adminKey, null, true);
                System.out.printf("  export warm-up: %d + %d rows%n", r.lines() - 1, j.lines());
                return new long[]{0, 0};
            }
            Reply r = http.send("GET", path, adminKey, null, true);
            if (r.status() != 200) die("export " + format + " answered " + r.status());
            return new long[]{format.equals("csv") ? r.lines() - 1 : r.lines(), r.bytes()};
        }
    }

    /** The baseline: a plain sequential scan of the whole table over JDBC, every column read. */
    static long[] rawSeqScanAuditLogs() throws SQLException {
        try (Connection c = connect()) {
            c.setAutoCommit(false);                              // a cursor: fetch size applies inside a transaction
            long n = 0, bytes = 0;
            try (Statement s = c.createStatement()) {
                s.setFetchSize(1000);
                try (ResultSet rs = s.executeQuery("SELECT " + AUDIT_COLUMNS + " FROM audit_logs")) {
                    while (rs.next()) {
                        n++;
                        for (int i = 1; i <= 17; i++) {
                            String v = rs.getString(i);
                            if (v != null) bytes += v.length();
                        }
                    }
                }
            }
            c.commit();
            return new long[]{n, bytes};
        }
    }

    /** The export's own SQL as the server runs it (reader role, platform scope, fetch size 1000), every column read. */
    static long[] rawExportSql(Instant from, Instant to) throws SQLException {
        Query q = new Query("export", false, null, null, null, null, null, null, from, to);
        try (Connection c = readerTransaction()) {
            long n = 0, bytes = 0;
            for (long[] range : q.ranges(c)) {                 // as AuditLogExport: the ranges in turn
                Sql sql = q.sql(null, null, range);
                try (PreparedStatement p = c.prepareStatement(sql.text())) {
                    p.setFetchSize(1000);
                    bind(p, sql.params());
                    try (ResultSet rs = p.executeQuery()) {
                        while (rs.next()) {
                            n++;
                            for (int i = 1; i <= 17; i++) {
                                String v = i == 4 ? rs.getTimestamp(4).toInstant().toString() : rs.getString(i);
                                if (v != null) bytes += v.length();
                            }
                        }
                    }
                }
            }
            c.commit();
            return new long[]{n, bytes};
        }
    }

    /** PostgreSQL's own CSV export of the same rows: COPY (the export's SQL) TO STDOUT. */
    static long[] rawCopy(Instant from, Instant to) throws Exception {
        String sql = "COPY (SELECT " + AUDIT_COLUMNS + " FROM audit_logs WHERE true AND occurred_at >= '" + from
                + "' AND occurred_at < '" + to + "' ORDER BY event_global_index) TO STDOUT WITH (FORMAT csv, HEADER)";
        try (Connection c = readerTransaction()) {
            CountingStream out = new CountingStream();
            // org.postgresql.copy.CopyManager through reflection: the driver is on the class path only at run time
            Object pg = c.unwrap(Class.forName("org.postgresql.PGConnection"));
            Object copy = pg.getClass().getMethod("getCopyAPI").invoke(pg);
            copy.getClass().getMethod("copyOut", String.class, OutputStream.class).invoke(copy, sql, out);
            c.commit();
            return new long[]{out.lines - 1, out.bytes};
        }
    }

    static Connection readerTransaction() throws SQLException {
        Connection c = connect();
        c.setAutoCommit(false);
        c.setReadOnly(true);
        c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        try (Statement s = c.createStatement()) {
            s.execute("SET LOCAL ROLE " + PLATFORM_READER + "; SET LOCAL random_page_cost = 1.1");
        }
        return c;
    }

    static final class CountingStream extends OutputStream {
        long bytes, lines;

        @Override
        public void write(int b) {
            bytes++;
            if (b == '\n') lines++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            bytes += len;
            for (int i = off; i < off + len; i++) if (b[i] == '\n') lines++;
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Verify and its baselines
    // ------------------------------------------------------------------------------------------------------------

    static long[] verifyHttp() throws IOException {
        try (LeanHttp http = http()) {
            Reply r = http.send("GET", "/api/v1/audit/verify", adminKey, null, false);
            Matcher checked = CHECKED.matcher(r.body());
            Matcher verified = VERIFIED.matcher(r.body());
            if (r.status() != 200 || !checked.find() || !verified.find()) {
                die("verify answered " + r.status() + " " + abbreviate(r.body()));
            }
            if (!verified.group(1).equals("true")) System.out.println("  verify: NOT verified: " + abbreviate(r.body()));
            return new long[]{Long.parseLong(checked.group(1)), r.bytes()};
        }
    }

    static final String CHAIN_COLUMNS = "global_index, event_identifier, aggregate_identifier, sequence_number, type, "
            + "payload_type, payload_revision, payload, meta_data, time_stamp";

    /** The limit: a sequential scan of domain_event_entry reading the chained columns (payload and meta_data bytes). */
    static long[] rawSeqScanEvents() throws SQLException {
        try (Connection c = connect()) {
            c.setAutoCommit(false);
            long n = 0, bytes = 0;
            try (Statement s = c.createStatement()) {
                s.setFetchSize(2000);
                try (ResultSet rs = s.executeQuery("SELECT " + CHAIN_COLUMNS + " FROM domain_event_entry")) {
                    while (rs.next()) {
                        n++;
                        rs.getLong(1);
                        rs.getLong(4);
                        for (int i : new int[]{2, 3, 5, 6, 7, 10}) {
                            String v = rs.getString(i);
                            if (v != null) bytes += v.length();
                        }
                        byte[] p = rs.getBytes(8), m = rs.getBytes(9);
                        bytes += (p == null ? 0 : p.length) + (m == null ? 0 : m.length);
                    }
                }
            }
            c.commit();
            return new long[]{n, bytes};
        }
    }

    /**
     * ChainVerification's work without the server: both tables in global order in one REPEATABLE READ snapshot
     * (fetch size 2000), each event hashed as EventChainHash does and compared with its link. Splits the server's
     * time into the algorithm's own cost and the rest.
     */
    static long[] verifyInBench() throws Exception {
        try (Connection c = connect()) {
            c.setAutoCommit(false);
            c.setReadOnly(true);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            ByteBuffer number = ByteBuffer.allocate(8);
            byte[] link = new byte[32];
            long n = 0, bytes = 0, mismatches = 0;
            try (PreparedStatement ev = c.prepareStatement("SELECT " + CHAIN_COLUMNS + " FROM domain_event_entry ORDER BY global_index");
                 PreparedStatement ch = c.prepareStatement("SELECT global_index, event_identifier, link FROM event_chain ORDER BY global_index")) {
                ev.setFetchSize(2000);
                ch.setFetchSize(2000);
                try (ResultSet events = ev.executeQuery(); ResultSet chain = ch.executeQuery()) {
                    boolean hasLink = chain.next();
                    while (events.next() && hasLink) {
                        long index = events.getLong(1);
                        while (hasLink && chain.getLong(1) < index) hasLink = chain.next();
                        if (!hasLink) break;
                        if (chain.getLong(1) != index) continue;   // not chained yet
                        sha.reset();
                        sha.update(link);
                        text(sha, number, events.getString(2));
                        text(sha, number, events.getString(3));
                        length(sha, number, 8);
                        number.clear();
                        sha.update(number.putLong(events.getLong(4)).array());
                        text(sha, number, events.getString(5));
                        text(sha, number, events.getString(6));
                        text(sha, number, events.getString(7));
                        byte[] p = events.getBytes(8), m = events.getBytes(9);
                        field(sha, number, p);
                        field(sha, number, m);
                        text(sha, number, events.getString(10));
                        link = sha.digest();
                        if (!Arrays.equals(link, chain.getBytes(3)) || !chain.getString(2).equals(events.getString(2))) {
                            mismatches++;
                            link = chain.getBytes(3);
                        }
                        bytes += (p == null ? 0 : p.length) + (m == null ? 0 : m.length);
                        n++;
                        hasLink = chain.next();
                    }
                }
            }
            c.commit();
            if (mismatches > 0) System.out.println("  verify in bench: " + mismatches + " links differ");
            return new long[]{n, bytes};
        }
    }

    static void text(MessageDigest d, ByteBuffer number, String v) {
        field(d, number, v == null ? null : v.getBytes(StandardCharsets.UTF_8));
    }

    static void field(MessageDigest d, ByteBuffer number, byte[] v) {
        if (v == null) {
            length(d, number, -1);
        } else {
            length(d, number, v.length);
            d.update(v);
        }
    }

    static void length(MessageDigest d, ByteBuffer number, int length) {
        number.clear();
        d.update(number.putInt(length).array(), 0, 4);
    }

    // ------------------------------------------------------------------------------------------------------------
    // HTTP: BenchSupport.LeanHttp (see there why not java.net.http), with a 300 s read timeout and 64 KiB buffers
    // for exports that stream hundreds of MB. Bodies are buffered, or only counted (exports).
    // ------------------------------------------------------------------------------------------------------------

    static LeanHttp http() {
        return new LeanHttp(null, null, 300_000, 64 * 1024);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Output
    // ------------------------------------------------------------------------------------------------------------

    static void printQueries(String label, QueryResult r) {
        long[] all = r.all(k -> true);
        System.out.printf(Locale.ROOT, "%s: %7.1f queries/s  p50 %6.1f ms  p95 %6.1f ms  p99 %6.1f ms  errors %d",
                label, r.perSecond(), ms(all, 50), ms(all, 95), ms(all, 99), r.errors());
        Cpu c = r.cpu();
        if (c != null && r.requests() > 0) {
            double q = r.requests() * c.wall() / r.seconds();
            System.out.printf(Locale.ROOT, "   CPU ms/query: server %.2f postgres %.2f bench %.2f; other processes %.2f cores",
                    nz(c.server()) / q * 1000, nz(c.postgres()) / q * 1000, c.client() / q * 1000, c.othersUnknownAsZero() / c.wall());
        }
        System.out.println();
    }

    static double ms(long[] sorted, double p) {
        return percentile(sorted, p) / 1e6;
    }

    static void summary(Map<String, List<QueryResult>> queries, List<Map<String, Double>> exports,
                        List<Map<String, Double>> verifies, String pgVersion) {
        List<QueryResult> platform = queries.get("platform"), raw = queries.get("raw");
        System.out.println();
        System.out.println("=== Audit benchmark (" + LocalDateTime.now().format(DateTimeFormatter.ISO_LOCAL_DATE)
                + "), medians of " + rounds + " rounds ===");
        System.out.println();
        System.out.printf("Queries, %d clients, limit %d (platform: GET /api/v1/audit-logs; raw: the same SQL over JDBC "
                + "as celaest_reader)%n", clients, PAGE);
        System.out.printf("%-34s %8s %8s %8s %8s | %8s %8s | %9s%n", "caller / kind", "n/round", "p50 ms", "p95 ms",
                "p99 ms", "raw p50", "raw p95", "p95 ratio");
        List<String> keys = new ArrayList<>(platform.get(0).latencies().keySet());
        for (QueryResult p : platform) for (String k : p.latencies().keySet()) if (!keys.contains(k)) keys.add(k);
        keys.sort(null);
        for (String k : keys) row(k, platform, raw, key -> key.equals(k));
        row("admin, all", platform, raw, key -> key.startsWith("admin"));
        row("org key, all", platform, raw, key -> key.startsWith("org key"));
        row("ALL (target p95 <= 100 ms)", platform, raw, key -> true);
        double pQps = medianIgnoringNaN(platform.stream().mapToDouble(QueryResult::perSecond).toArray());
        double rQps = medianIgnoringNaN(raw.stream().mapToDouble(QueryResult::perSecond).toArray());
        double p95 = medianIgnoringNaN(platform.stream().mapToDouble(r -> ms(r.all(k -> true), 95)).toArray());
        System.out.printf(Locale.ROOT, "queries/s: platform %.0f, raw %.0f, ratio platform/raw %.2f;  overall p95 %.1f ms: "
                + "target <= 100 ms %s%n", pQps, rQps, pQps / rQps, p95, p95 <= 100 ? "MET" : "NOT MET");
        System.out.printf(Locale.ROOT, "CPU ms per query (median): platform %s, raw %s%n", cpuPerQuery(platform, true),
                cpuPerQuery(raw, false));
        System.out.printf("errors in measured windows: platform %d, raw %d%n",
                platform.stream().mapToLong(QueryResult::errors).sum(), raw.stream().mapToLong(QueryResult::errors).sum());

        System.out.println();
        System.out.println("Export and verify, rows (events) per second");
        System.out.printf("%-26s %12s %12s %10s  %s%n", "", "rows", "rows/s", "MB/s", "CPU µs/row server/postgres/bench; others cores");
        for (Map<String, Double> m : List.of(exports.get(0), verifies.get(0))) {
            for (String name : m.keySet()) {
                List<Map<String, Double>> src = exports.get(0).containsKey(name) ? exports : verifies;
                double rate = medianIgnoringNaN(src.stream().mapToDouble(x -> x.get(name)).toArray());
                double rowsMed = medianIgnoringNaN(ROWS_BY_ITEM.get(name).stream().mapToDouble(Double::doubleValue).toArray());
                List<Cpu> cpus = CPU_BY_ITEM.get(name);
                List<Double> rowsList = ROWS_BY_ITEM.get(name);
                double[] srv = new double[cpus.size()], pg = new double[cpus.size()], cl = new double[cpus.size()],
                        ot = new double[cpus.size()], mbs = new double[cpus.size()];
                for (int i = 0; i < cpus.size(); i++) {
                    Cpu c = cpus.get(i);
                    double n = rowsList.get(i);
                    srv[i] = nz(c.server()) / n * 1e6;
                    pg[i] = nz(c.postgres()) / n * 1e6;
                    cl[i] = c.client() / n * 1e6;
                    ot[i] = c.othersUnknownAsZero() / c.wall();
                    mbs[i] = BYTES_BY_ITEM.get(name).get(i) / c.wall() / 1e6;
                }
                System.out.printf(Locale.ROOT, "%-26s %12.0f %12.0f %10.1f  %.1f / %.1f / %.1f; %.2f%n", name, rowsMed, rate,
                        medianIgnoringNaN(mbs), medianIgnoringNaN(srv), medianIgnoringNaN(pg), medianIgnoringNaN(cl), medianIgnoringNaN(ot));
            }
        }
        double seq = med(exports, "raw seq scan audit_logs");
        System.out.printf(Locale.ROOT, "ratio export csv / raw seq scan audit_logs:   %.2f   (vs the export's SQL over JDBC %.2f, "
                        + "vs COPY csv %.2f)%n", med(exports, "export csv") / seq,
                med(exports, "export csv") / med(exports, "raw export SQL"), med(exports, "export csv") / med(exports, "raw COPY csv"));
        System.out.printf(Locale.ROOT, "ratio export jsonl / raw seq scan audit_logs: %.2f   (vs the export's SQL over JDBC %.2f)%n",
                med(exports, "export jsonl") / seq, med(exports, "export jsonl") / med(exports, "raw export SQL"));
        System.out.printf(Locale.ROOT, "ratio verify / raw seq scan events:           %.2f   (vs the same verification in "
                        + "this program %.2f)%n", med(verifies, "verify") / med(verifies, "raw seq scan events"),
                med(verifies, "verify") / med(verifies, "verify redone in bench"));
        for (String name : ROWS_BY_ITEM.keySet()) {
            System.out.printf(Locale.ROOT, "  %-26s each round: %s rows/s%n", name,
                    (exports.get(0).containsKey(name) ? exports : verifies).stream()
                            .map(x -> String.format(Locale.ROOT, "%.0f", x.get(name))).reduce((a, b) -> a + "/" + b).orElse(""));
        }
        System.out.println();
        System.out.printf("machine: %d cpus (%s), java %s, PostgreSQL %s%n", Runtime.getRuntime().availableProcessors(),
                cpuModel(), System.getProperty("java.runtime.version"), pgVersion);
        System.out.println("code: " + env("CELAEST_BENCH_CODE", "unknown"));
        System.out.printf("load: %d rows seeded, %d clients (%d%% with the org key), %ds query warm-up, %ds warm-up + %ds "
                + "measured per query window, %d rounds, export of %d rows%n", rows, clients, tenantShare, initialWarmup,
                warmup, seconds, rounds, exportRows);
    }

    static double med(List<Map<String, Double>> list, String name) {
        return medianIgnoringNaN(list.stream().mapToDouble(m -> m.get(name)).toArray());
    }

    static void row(String label, List<QueryResult> platform, List<QueryResult> raw, Function<String, Boolean> keep) {
        double n = medianIgnoringNaN(platform.stream().mapToDouble(r -> r.all(keep).length).toArray());
        double p50 = medianIgnoringNaN(platform.stream().mapToDouble(r -> ms(r.all(keep), 50)).toArray());
        double p95 = medianIgnoringNaN(platform.stream().mapToDouble(r -> ms(r.all(keep), 95)).toArray());
        double p99 = medianIgnoringNaN(platform.stream().mapToDouble(r -> ms(r.all(keep), 99)).toArray());
        double r50 = medianIgnoringNaN(raw.stream().mapToDouble(r -> ms(r.all(keep), 50)).toArray());
        double r95 = medianIgnoringNaN(raw.stream().mapToDouble(r -> ms(r.all(keep), 95)).toArray());
        System.out.printf(Locale.ROOT, "%-34s %8.0f %8.1f %8.1f %8.1f | %8.1f %8.1f | %8.1fx%n", label, n, p50, p95, p99,
                r50, r95, p95 / r95);
    }

    static String cpuPerQuery(List<QueryResult> results, boolean platform) {
        double[] v = results.stream().mapToDouble(r -> {
            Cpu c = r.cpu();
            if (c == null || r.requests() == 0) return Double.NaN;
            double q = r.requests() * c.wall() / r.seconds();
            return (nz(c.postgres()) + c.client() + (platform ? nz(c.server()) : 0)) / q * 1000;
        }).toArray();
        return String.format(Locale.ROOT, "%.2f", medianIgnoringNaN(v));
    }

    static void parseArgs(String[] args) {
        for (int i = 0; i < args.length; i += 2) {
            String a = args[i];
            long v = longValue(a, optionValue(args, i));
            switch (a) {
                case "--rows" -> rows = v;
                case "--clients" -> clients = (int) v;
                case "--seconds" -> seconds = (int) v;
                case "--warmup" -> warmup = (int) v;
                case "--rounds" -> rounds = (int) v;
                case "--initial-warmup" -> initialWarmup = (int) v;
                case "--export-rows" -> exportRows = v;
                case "--min-events" -> minEvents = v;
                case "--tenant-share" -> tenantShare = (int) v;
                default -> die("unknown option " + a + " (known: --rows, --clients, --seconds, --warmup, --rounds, "
                        + "--initial-warmup, --export-rows, --min-events, --tenant-share)");
            }
        }
        if (rows < 1000 || rows > 100_000_000 || clients < 1 || clients > 256 || seconds < 1 || seconds > 600
                || warmup < 0 || warmup > 600 || rounds < 1 || rounds > 10 || initialWarmup < 0 || initialWarmup > 600
                || exportRows < 1 || minEvents < 0 || minEvents > 10_000_000 || tenantShare < 0 || tenantShare > 100) {
            die("option out of range (rows 1000-100000000, clients 1-256, seconds 1-600, warmup 0-600, rounds 1-10, "
                    + "initial-warmup 0-600, export-rows >= 1, min-events 0-10000000, tenant-share 0-100)");
        }
    }
}
