// License validations per second through the platform vs raw PostgreSQL batched inserts into a table shaped like
// license_validations; usage records per second beside them.
//
// Run through `./celaest bench licensing` (bench/run), or by hand (PG = the PostgreSQL JDBC jar, e.g.
// ~/.m2/repository/org/postgresql/postgresql/<v>/postgresql-<v>.jar; BenchSupport.java holds the shared parts):
//   javac -d /tmp/bench -cp $PG bench/BenchSupport.java bench/LicensingBench.java
//   java -cp /tmp/bench:$PG bench.LicensingBench \
//        [--clients 64] [--usage-clients 16] [--licenses 3000] [--seconds 20] [--warmup 5] [--rounds 3]
//        [--raw-batch 100] [--initial-warmup 30] [--load-threads 1] [--validations-only 0]
// Environment: CELAEST_BENCH_BASE_URL (default http://localhost:8080), CELAEST_BENCH_ADMIN_KEY (required),
//              CELAEST_DB_URL / CELAEST_DB_USER / CELAEST_DB_PASSWORD (default the private cluster, celaest/celaest).
//
// Setup: one enterprise organization and --licenses perpetual enterprise licenses, issued through the API.
// Validation clients: non-blocking keep-alive connections served by one selector thread (--load-threads N: N
// threads; BenchSupport.httpLoadNio), not a thread per client: the load generator shares the 2 cores with the server
// and PostgreSQL, and 64 runnable client threads would compete with the server. Client i connects from its own
// loopback address (127.0.x.y; Linux routes all of 127/8 to lo), so the server sees 64 client IPs, and validates
// licenses i, i + clients, i + 2*clients, ... round robin with a fixed fingerprint of its own: every license has one
// binding (made during the initial warm-up), one IP, no collisions, and no key is validated more often than about
// (validations/s) / licenses per second. No bearer token; only 200 with code VALID counts. Usage clients (a blocking
// thread each, BenchSupport.httpLoad): POST /api/v1/licenses/{id}/usage (ai_requests, 1) with the admin key, client j
// over licenses j, j + usage-clients, ...; each is a durable command (a UsageRecorded event); only 200 counts.
// Raw: the same number of clients as validations, each with its own JDBC connection (reWriteBatchedInserts=true,
// autocommit), inserting --raw-batch rows per statement (one durable commit per batch) into bench_raw_validations,
// created LIKE license_validations INCLUDING ALL (same columns, primary key and indexes) and dropped at the end.
//
// An unmeasured initial warm-up (JIT, bindings) comes first; then each round runs [validations, usage, raw], each
// with its own warm-up and a measured window of the same length; the summary reports the median over the rounds.
// After the platform phases it waits for the asynchronous projections to catch up. At the end it checks that
// license_validations holds at least one VALID row for every VALID answer the clients received. The organization,
// licenses, validations and usage stay (event sourcing), recognisable by the slug "bench-lic-<run id>".

package bench;

import static bench.BenchSupport.*;

import java.io.IOException;
import java.net.InetAddress;
import java.sql.Connection;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.regex.Matcher;

public class LicensingBench {

    static int clients = 64;
    static int usageClients = 16;
    static int licenseCount = 3000;
    static int seconds = 20;
    static int warmup = 5;
    static int rounds = 3;
    static int rawBatch = 100;
    static int initialWarmup = 30;
    /** --validations-only 1: no usage and raw phases (quick comparisons of server settings; no ratio then). */
    static boolean validationsOnly = false;
    /** Selector threads serving the validation clients' non-blocking connections. */
    static int loadThreads = 1;

    static final double TARGET_PER_SECOND = 10_000;
    static final double TARGET_P99_MS = 10;
    /** A phase gives up once this many requests failed: the server is clearly not healthy. */
    static final int ABORT_AFTER_ERRORS = 5000;
    static final String RAW_TABLE = "bench_raw_validations";
    static final String runId = newRunId();

    static String orgId;
    static String[] licenseIds;
    static String[] licenseKeys;
    /** VALID answers received in every validation phase (warm-ups included), for the recorded-before-answer check. */
    static final AtomicLong validAnswers = new AtomicLong();

    public static void main(String[] args) throws Exception {
        runProgram("LicensingBench", args, LicensingBench::run);
    }

    static void run(String[] args) throws Exception {
        parseArgs(args);
        readEnvironment();

        String pgVersion;
        try (Connection c = connect(); Statement s = c.createStatement()) {
            pgVersion = requireDurableCommits(s, "shared_buffers");
            findPostmaster(s);
            s.execute("DROP TABLE IF EXISTS " + RAW_TABLE);
            s.execute("CREATE TABLE " + RAW_TABLE + " (LIKE license_validations INCLUDING ALL)");
        }
        String limits = rateLimitNote();
        String pool = System.getenv("CELAEST_DB_POOL_SIZE");
        if (pool != null && !pool.isBlank()) {
            limits += "; CELAEST_DB_POOL_SIZE=" + pool + " in this environment (applies if the server was started with it)";
        }
        System.out.printf("Run %s: %d validation clients (each from its own 127.0.x.y; non-blocking connections on %s), "
                        + "%d usage clients, %d licenses, %d round(s) of [validations, usage, raw], each %ds warm-up + "
                        + "%ds measured; raw batches of %d rows%nrate limits: %s%n%n", runId, clients, selectorThreads(),
                usageClients, licenseCount, rounds, warmup, seconds, rawBatch, limits);

        List<Result> valid = new ArrayList<>();
        List<Result> usage = new ArrayList<>();
        List<Result> raw = new ArrayList<>();
        try {
            setup();
            bindAll();
            monitor = connect();                               // commits and WAL syncs per window
            idle = idleWindow();
            if (initialWarmup > 0) {
                System.out.printf("initial warm-up: %d s of validations, then usage (not measured)%n",
                        initialWarmup);
                Result w = validationPhase(new Window(initialWarmup, 0));
                if (w.errors() > 0) System.out.println("  warm-up errors: " + w.errors());
                if (!validationsOnly) {
                    usagePhase(new Window(Math.max(5, initialWarmup / 3), 0));
                    awaitProjections();
                }
            }
            for (int round = 1; round <= rounds; round++) {
                Result v = validationPhase(new Window(warmup, seconds));
                valid.add(v);
                print("round " + round + " validations", v, "validations/s");
                if (v.errors() >= ABORT_AFTER_ERRORS) throw new Abort("too many validation errors, stopping");
                if (validationsOnly) continue;
                Result u = usagePhase(new Window(warmup, seconds));
                usage.add(u);
                print("round " + round + " usage      ", u, "records/s    ");
                if (u.errors() >= ABORT_AFTER_ERRORS) throw new Abort("too many usage errors, stopping");
                awaitProjections();
                Result r = rawPhase();
                raw.add(r);
                print("round " + round + " raw        ", r, "rows/s       ");
            }
        } finally {
            dropQuietly(RAW_TABLE);                            // also when a phase failed
        }
        long recorded;
        try (Connection c = connect(); Statement s = c.createStatement()) {
            recorded = Long.parseLong(one(s, "SELECT count(*) FROM license_validations WHERE organization_id = '"
                    + orgId + "' AND valid"));
        }
        summary(valid, usage, raw, pgVersion, limits, recorded);
    }

    static String rateLimitNote() {
        StringBuilder b = new StringBuilder();
        for (String name : new String[]{"CELAEST_LICENSING_IP_RATE", "CELAEST_LICENSING_IP_BURST",
                "CELAEST_LICENSING_KEY_RATE", "CELAEST_LICENSING_KEY_BURST", "CELAEST_LICENSING_STATE_TTL"}) {
            String v = System.getenv(name);
            if (v != null && !v.isBlank()) b.append(b.length() == 0 ? "" : ", ").append(name).append('=').append(v);
        }
        return b.length() == 0
                ? "server defaults (per IP burst 2000 then 500/s, per key burst 100 then 10/s) unless the running server "
                + "was started with CELAEST_LICENSING_* set"
                : "RAISED in this environment (" + b + "): they apply only if the server was started with them";
    }

    // ------------------------------------------------------------------------------------------------------------
    // Setup: one enterprise organization, then the licenses (16 issuing threads).
    // ------------------------------------------------------------------------------------------------------------

    static void setup() throws Exception {
        long started = System.nanoTime();
        LeanHttp admin = new LeanHttp(adminKey, null);
        String slug = "bench-lic-" + runId;
        Reply org = admin.post("/api/v1/organizations",
                "{\"name\":\"Bench " + slug + "\",\"slug\":\"" + slug + "\",\"plan\":\"enterprise\"}");
        if (org.status() != 201) throw new Abort("creating the organization: " + org.status() + " " + abbreviate(org.body()));
        Matcher m = ID.matcher(org.body());
        if (!m.find()) throw new Abort("no id in " + org.body());
        orgId = m.group(1);
        admin.close();
        licenseIds = new String[licenseCount];
        licenseKeys = new String[licenseCount];
        AtomicInteger next = new AtomicInteger();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 16; t++) {
            Thread thread = new Thread(() -> {
                LeanHttp http = new LeanHttp(adminKey, null);
                for (int i; (i = next.getAndIncrement()) < licenseCount && failures.size() < 5; ) {
                    try {
                        Reply r = http.post("/api/v1/organizations/" + orgId + "/licenses",
                                "{\"plan\":\"enterprise\",\"type\":\"perpetual\"}");
                        Matcher id = ID.matcher(r.body()), key = KEY.matcher(r.body());
                        if (r.status() != 201 || !id.find() || !key.find()) {
                            failures.add("issue license -> " + r.status() + ": " + abbreviate(r.body()));
                            continue;
                        }
                        licenseIds[i] = id.group(1);
                        licenseKeys[i] = key.group(1);
                    } catch (IOException e) {
                        failures.add("issue license: " + e);
                        http.close();
                    }
                }
                http.close();
            }, "issuer-" + t);
            threads.add(thread);
            thread.start();
        }
        for (Thread t : threads) t.join();
        if (!failures.isEmpty()) throw new Abort("issuing licenses failed: " + String.join(" | ", failures));
        System.out.printf(Locale.ROOT, "setup: organization %s (%s), %d enterprise licenses issued in %.1f s%n", slug,
                orgId, licenseCount, (System.nanoTime() - started) / 1e9);
    }

    /**
     * Every client validates each of its licenses once, from its own address with its own fingerprint: the first
     * validation of a license binds that device (a BindLicense command on the License aggregate), later ones find it.
     */
    static void bindAll() throws InterruptedException {
        long started = System.nanoTime();
        AtomicLong ok = new AtomicLong();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < clients; t++) {
            int client = t;
            Thread thread = new Thread(() -> {
                LeanHttp http = new LeanHttp(null, clientAddress(client));
                String fingerprint = "bench-" + runId + "-c" + client;
                for (int i = client; i < licenseCount && failures.size() < 5; i += clients) {
                    try {
                        Reply r = http.post("/api/v1/licenses/validate",
                                "{\"key\":\"" + licenseKeys[i] + "\",\"fingerprint\":\"" + fingerprint + "\"}");
                        if (r.status() == 200 && r.body().contains("\"code\":\"VALID\"")) {
                            ok.incrementAndGet();
                        } else {
                            failures.add("first validation -> " + r.status() + ": " + abbreviate(r.body()));
                        }
                    } catch (IOException e) {
                        failures.add("first validation: " + e);
                        http.close();
                    }
                }
                http.close();
            }, "binder-" + t);
            threads.add(thread);
            thread.start();
        }
        for (Thread t : threads) t.join();
        validAnswers.addAndGet(ok.get());
        if (!failures.isEmpty()) throw new Abort("first validations failed: " + String.join(" | ", failures));
        System.out.printf(Locale.ROOT, "bindings: %d licenses validated once each (one binding each) in %.1f s%n",
                ok.get(), (System.nanoTime() - started) / 1e9);
    }

    /** CPU of the server and PostgreSQL over 10 s without load: the tracking processors' polling, schedulers. */
    static Cpu idleWindow() throws Exception {
        awaitProjections();
        Window w = new Window(0, 10);
        Window.sleepUntil(w.measureEnd);
        Cpu c = w.cpu();
        if (c != null) {
            System.out.printf(Locale.ROOT, "idle (10 s, no requests): server %.3f cores, postgres %.3f cores, "
                    + "%.1f commits/s, %.1f WAL syncs/s, other processes %.2f cores%n", c.server() / c.wall(),
                    c.postgres() / c.wall(), c.commits() / c.wall(), c.walSyncs() / c.wall(), c.others() / c.wall());
        }
        return c;
    }

    static Cpu idle;

    /** Platform CPU ms per operation after subtracting the idle background (server + PostgreSQL) of the same length. */
    static double netCpuPerOp(Result r) {
        Cpu c = r.cpu();
        if (c == null || idle == null || r.ops() == 0) return Double.NaN;
        double background = (idle.server() + idle.postgres()) / idle.wall() * c.wall();
        return (c.postgres() + c.client() + c.server() - background) / meteredOps(r) * 1000;
    }

    /** Client i's loopback address: 127.0.(10 + i / 200).(1 + i % 200). */
    static InetAddress clientAddress(int i) {
        try {
            return InetAddress.getByAddress(new byte[]{127, 0, (byte) (10 + i / 200), (byte) (1 + i % 200)});
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Platform phases: closed-loop clients, each with its own keep-alive connection (validations: non-blocking ones).
    // ------------------------------------------------------------------------------------------------------------

    /** One client's next request: the path and JSON body for its n-th request. */
    interface Requests {
        String[] next(long n);
    }

    static Result validationPhase(Window w) throws InterruptedException {
        return httpPhase(w, clients, "validate", 200, "\"code\":\"VALID\"", true, client -> {
            String fingerprint = "bench-" + runId + "-c" + client;
            List<String> keys = new ArrayList<>();
            for (int i = client; i < licenseCount; i += clients) keys.add(licenseKeys[i]);
            if (keys.isEmpty()) throw new Abort("fewer licenses than clients");
            return n -> new String[]{"/api/v1/licenses/validate",
                    "{\"key\":\"" + keys.get((int) (n % keys.size())) + "\",\"fingerprint\":\"" + fingerprint + "\"}"};
        });
    }

    static Result usagePhase(Window w) throws InterruptedException {
        return httpPhase(w, usageClients, "usage", 200, "\"used\"", false, client -> {
            List<String> ids = new ArrayList<>();
            for (int i = client; i < licenseCount; i += usageClients) ids.add(licenseIds[i]);
            if (ids.isEmpty()) throw new Abort("fewer licenses than usage clients");
            return n -> new String[]{"/api/v1/licenses/" + ids.get((int) (n % ids.size())) + "/usage",
                    "{\"metric\":\"ai_requests\",\"quantity\":1}"};
        });
    }

    /**
     * Closed-loop POSTs; an answer counts when it has okStatus and contains okMarker. Validations: non-blocking
     * connections on loadThreads selector threads (BenchSupport.httpLoadNio); usage: a blocking thread per client
     * (BenchSupport.httpLoad).
     */
    static Result httpPhase(Window w, int clientCount, String name, int okStatus, String okMarker, boolean validation,
                            Function<Integer, Requests> plan) throws InterruptedException {
        IntFunction<HttpPlan> plans = client -> {
            Requests requests = plan.apply(client);
            return new HttpPlan() {
                long n = 0;

                @Override
                public String[] next() {
                    return requests.next(n++);
                }

                @Override
                public boolean ok(int status, String body) {
                    boolean ok = status == okStatus && body.contains(okMarker);
                    if (ok && validation) validAnswers.incrementAndGet();
                    return ok;
                }
            };
        };
        String errorPrefix = "  " + name + " error: ";
        Load load = validation
                ? httpLoadNio(w, clientCount, loadThreads, name, errorPrefix, ABORT_AFTER_ERRORS, null,
                        LicensingBench::clientAddress, plans)
                : httpLoad(w, clientCount, name, errorPrefix, ABORT_AFTER_ERRORS, client -> new LeanHttp(adminKey, null),
                        plans);
        if (load.allErrors() > load.measuredErrors()) {
            System.out.printf("  %s: %d failed requests in this phase, warm-up included%n", name, load.allErrors());
        }
        return load.result(seconds);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Raw phase: as many clients as validation clients, each with its own connection (autocommit, JDBC batches
    // rewritten into multi-row INSERTs), --raw-batch validation-shaped rows per statement, one durable commit each.
    // ------------------------------------------------------------------------------------------------------------

    static Result rawPhase() throws Exception {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("TRUNCATE " + RAW_TABLE);
        }
        String url = dbUrl + (dbUrl.contains("?") ? "&" : "?") + "reWriteBatchedInserts=true";
        UUID org = UUID.fromString(orgId);
        String insert = "INSERT INTO " + RAW_TABLE + " (id, license_id, organization_id, validated_at, ip, fingerprint, "
                + "product_id, code, valid) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
        Load load = rawLoad(url, insert, clients, warmup, seconds, client -> {
            String ip = clientAddress(client).getHostAddress();
            String fingerprint = "bench-" + runId + "-c" + client;
            List<UUID> ids = new ArrayList<>();
            for (int i = client; i < licenseCount; i += clients) ids.add(UUID.fromString(licenseIds[i]));
            long[] n = {0};
            return batch -> {                                  // timed from here: building the batch counts
                Timestamp now = new Timestamp(System.currentTimeMillis());
                for (int r = 0; r < rawBatch; r++) {
                    batch.setObject(1, UUID.randomUUID());
                    batch.setObject(2, ids.get((int) (n[0]++ % ids.size())));
                    batch.setObject(3, org);
                    batch.setTimestamp(4, now);
                    batch.setString(5, ip);
                    batch.setString(6, fingerprint);
                    batch.setObject(7, null, java.sql.Types.OTHER);
                    batch.setString(8, "VALID");
                    batch.setBoolean(9, true);
                    batch.addBatch();
                }
                batch.executeBatch();
                return rawBatch;
            };
        });
        return load.result(seconds);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Output
    // ------------------------------------------------------------------------------------------------------------

    /** Operations in the CPU meter's window (it may be a little longer than the nominal one). */
    static double meteredOps(Result r) {
        return r.ops() * r.cpu().wall() / r.seconds();
    }

    /** CPU ms per operation: raw = PostgreSQL + client, platform adds the server. */
    static double cpuPerOp(Result r, boolean platformPhase) {
        Cpu c = r.cpu();
        if (c == null || r.ops() == 0) return Double.NaN;
        double used = c.postgres() + c.client() + (platformPhase ? c.server() : 0);
        return used / meteredOps(r) * 1000;
    }

    static double perOp(Result r, Function<Cpu, Double> what) {
        Cpu c = r.cpu();
        return c == null || r.ops() == 0 ? Double.NaN : what.apply(c) / meteredOps(r);
    }

    static void summary(List<Result> valid, List<Result> usage, List<Result> raw, String pgVersion, String limits,
                        long recorded) {
        double vMedian = medianOf(valid, Result::perSecond);
        double uMedian = medianOf(usage, Result::perSecond);
        double rMedian = medianOf(raw, Result::perSecond);
        double vP50 = medianOf(valid, r -> r.pMillis(50)), vP99 = medianOf(valid, r -> r.pMillis(99));
        double vCpu = medianOf(valid, r -> cpuPerOp(r, true));
        double uCpu = medianOf(usage, r -> cpuPerOp(r, true));
        double rCpu = medianOf(raw, r -> cpuPerOp(r, false));
        System.out.println();
        System.out.println("=== License validations vs raw PostgreSQL batched inserts ("
                + LocalDateTime.now().format(DateTimeFormatter.ISO_LOCAL_DATE) + ") ===");
        String row = "%-32s %16s %16s %16s%n";
        System.out.printf(row, "", "validations", "usage records", "raw rows");
        System.out.printf(row, "ops/s, median of " + rounds + " rounds", fmt(vMedian, 0), fmt(uMedian, 0), fmt(rMedian, 0));
        System.out.printf(row, "ops/s, each round", rates(valid), rates(usage), rates(raw));
        System.out.printf(row, "p50 latency ms (median)", fmt(vP50, 1), fmt(medianOf(usage, r -> r.pMillis(50)), 1),
                fmt(medianOf(raw, r -> r.pMillis(50)), 1) + " /" + rawBatch);
        System.out.printf(row, "p99 latency ms (median)", fmt(vP99, 1), fmt(medianOf(usage, r -> r.pMillis(99)), 1),
                fmt(medianOf(raw, r -> r.pMillis(99)), 1) + " /" + rawBatch);
        System.out.printf(row, "errors in measured windows", valid.stream().mapToLong(Result::errors).sum()
                        + " (429: " + valid.stream().mapToLong(Result::tooMany).sum() + ")",
                usage.stream().mapToLong(Result::errors).sum(), raw.stream().mapToLong(Result::errors).sum());
        System.out.printf(row, "CPU ms per op (median)", fmt(vCpu, 3), fmt(uCpu, 3), fmt(rCpu, 3));
        System.out.printf(row, "  server", fmt(medianOf(valid, r -> perOp(r, Cpu::server) * 1000), 3),
                fmt(medianOf(usage, r -> perOp(r, Cpu::server) * 1000), 3), "-");
        System.out.printf(row, "  PostgreSQL", fmt(medianOf(valid, r -> perOp(r, Cpu::postgres) * 1000), 3),
                fmt(medianOf(usage, r -> perOp(r, Cpu::postgres) * 1000), 3),
                fmt(medianOf(raw, r -> perOp(r, Cpu::postgres) * 1000), 3));
        System.out.printf(row, "  client", fmt(medianOf(valid, r -> perOp(r, Cpu::client) * 1000), 3),
                fmt(medianOf(usage, r -> perOp(r, Cpu::client) * 1000), 3),
                fmt(medianOf(raw, r -> perOp(r, Cpu::client) * 1000), 3));
        System.out.printf(row, "  net of idle background", fmt(medianOf(valid, LicensingBench::netCpuPerOp), 3),
                fmt(medianOf(usage, LicensingBench::netCpuPerOp), 3), "-");
        System.out.printf(row, "commits per op (median)", fmt(medianOf(valid, r -> perOp(r, Cpu::commits)), 3),
                fmt(medianOf(usage, r -> perOp(r, Cpu::commits)), 3), fmt(medianOf(raw, r -> perOp(r, Cpu::commits)), 3));
        System.out.printf(row, "WAL syncs per op (median)", fmt(medianOf(valid, r -> perOp(r, Cpu::walSyncs)), 3),
                fmt(medianOf(usage, r -> perOp(r, Cpu::walSyncs)), 3), fmt(medianOf(raw, r -> perOp(r, Cpu::walSyncs)), 3));
        System.out.printf(row, "other processes, cores (med.)", fmt(medianOf(valid, LicensingBench::others), 2),
                fmt(medianOf(usage, LicensingBench::others), 2), fmt(medianOf(raw, LicensingBench::others), 2));
        System.out.printf("%-32s %16s   (target >= %.0f: %s)%n", "validations/s", fmt(vMedian, 0), TARGET_PER_SECOND,
                vMedian >= TARGET_PER_SECOND ? "MET" : "NOT MET");
        System.out.printf("%-32s %16s   (target <= %.0f ms: %s)%n", "validation p99 ms", fmt(vP99, 1), TARGET_P99_MS,
                vP99 <= TARGET_P99_MS ? "MET" : "NOT MET");
        System.out.printf("%-32s %16s   (CPU-normalised: raw CPU per row / CPU per validation = %s)%n",
                "ratio validations / raw rows", fmt(vMedian / rMedian, 3), fmt(rCpu / vCpu, 3));
        System.out.printf("%-32s %16s   (CPU-normalised %s)%n", "ratio usage records / raw rows",
                fmt(uMedian / rMedian, 3), fmt(rCpu / uCpu, 3));
        if (idle != null) {
            System.out.printf(Locale.ROOT, "idle background: server %.3f cores, postgres %.3f cores (CPU per op above "
                    + "includes it; 'net' subtracts it)%n", idle.server() / idle.wall(), idle.postgres() / idle.wall());
        }
        long answers = validAnswers.get();
        System.out.printf("recorded before answered: %d VALID rows in license_validations for %d VALID answers (%s)%n",
                recorded, answers, recorded >= answers ? "OK" : "MISSING ROWS");
        System.out.println("rate limits: " + limits);
        printMachine(pgVersion);
        System.out.printf("load: %d validation clients over %d licenses (non-blocking, %s), %d usage clients "
                        + "(a thread each), %ds initial warm-up, %ds warm-up + %ds measured per phase, %d rounds, raw "
                        + "batches of %d rows%n", clients, licenseCount, selectorThreads(), usageClients, initialWarmup,
                warmup, seconds, rounds, rawBatch);
    }

    static String selectorThreads() {
        return loadThreads == 1 ? "one selector thread" : loadThreads + " selector threads";
    }

    static double others(Result r) {
        return r.cpu() == null ? Double.NaN : r.cpu().others() / r.cpu().wall();
    }

    static double medianOf(List<Result> results, Function<Result, Double> f) {
        return median(results.stream().mapToDouble(f::apply).toArray());
    }

    static String fmt(double v, int decimals) {
        return Double.isNaN(v) ? "?" : String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    static void print(String label, Result r, String unit) {
        System.out.printf(Locale.ROOT, "%s: %9.1f %s  p50 %6.2f ms  p99 %6.2f ms  errors %d%s%n",
                label, r.perSecond(), unit, r.pMillis(50), r.pMillis(99), r.errors(),
                r.tooMany() > 0 ? " (429: " + r.tooMany() + ")" : "");
        Cpu c = r.cpu();
        if (c != null && r.ops() > 0) {
            double ops = meteredOps(r);
            System.out.printf(Locale.ROOT, "    CPU ms/op: server %.3f  postgres %.3f  client %.3f   "
                            + "(cores busy: server %.2f postgres %.2f client %.2f other processes %.2f)  "
                            + "commits/op %.3f  WAL syncs/op %.3f%n",
                    c.server() / ops * 1000, c.postgres() / ops * 1000, c.client() / ops * 1000,
                    c.server() / c.wall(), c.postgres() / c.wall(), c.client() / c.wall(), c.others() / c.wall(),
                    c.commits() / ops, c.walSyncs() / ops);
        }
    }

    static void parseArgs(String[] args) {
        for (int i = 0; i < args.length; i += 2) {
            String a = args[i];
            int v = intValue(a, optionValue(args, i));
            switch (a) {
                case "--clients" -> clients = v;
                case "--usage-clients" -> usageClients = v;
                case "--licenses" -> licenseCount = v;
                case "--seconds" -> seconds = v;
                case "--warmup" -> warmup = v;
                case "--rounds" -> rounds = v;
                case "--raw-batch" -> rawBatch = v;
                case "--initial-warmup" -> initialWarmup = v;
                case "--load-threads" -> loadThreads = v;
                case "--validations-only" -> validationsOnly = v != 0;
                default -> die("unknown option " + a + " (known: --clients, --usage-clients, --licenses, --seconds, "
                        + "--warmup, --rounds, --raw-batch, --initial-warmup, --load-threads, --validations-only)");
            }
        }
        if (clients < 1 || clients > 1000 || usageClients < 1 || usageClients > 256 || licenseCount < clients
                || licenseCount < usageClients || licenseCount > 100_000 || seconds < 1 || seconds > 600 || warmup < 0
                || warmup > 600 || rounds < 1 || rounds > 10 || rawBatch < 1 || rawBatch > 5000 || initialWarmup < 0
                || initialWarmup > 600 || loadThreads < 1 || loadThreads > Math.min(clients, 64)) {
            die("option out of range (clients 1-1000, usage-clients 1-256, licenses >= both and <= 100000, "
                    + "seconds 1-600, warmup 0-600, rounds 1-10, raw-batch 1-5000, initial-warmup 0-600, "
                    + "load-threads 1-min(clients, 64))");
        }
    }
}
