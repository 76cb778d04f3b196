// License validations per second through the platform vs raw PostgreSQL batched inserts into a table shaped like
// license_validations; usage records per second beside them.
//
// Run through `./celaest bench licensing` (bench/run), or by hand:
//   java -cp ~/.m2/repository/org/postgresql/postgresql/<v>/postgresql-<v>.jar bench/LicensingBench.java \
//        [--clients 64] [--usage-clients 16] [--licenses 3000] [--seconds 20] [--warmup 5] [--rounds 3]
//        [--raw-batch 100] [--initial-warmup 30]
// Environment: CELAEST_BENCH_BASE_URL (default http://localhost:8080), CELAEST_BENCH_ADMIN_KEY (required),
//              CELAEST_DB_URL / CELAEST_DB_USER / CELAEST_DB_PASSWORD (default the private cluster, celaest/celaest).
//
// Setup: one enterprise organization and --licenses perpetual enterprise licenses, issued through the API.
// Validation clients: client i connects from its own loopback address (127.0.x.y; Linux routes all of 127/8 to lo),
// so the server sees 64 client IPs, and validates licenses i, i + clients, i + 2*clients, ... round robin with a fixed
// fingerprint of its own: every license has one binding (made during the initial warm-up), one IP, no collisions,
// and no key is validated more often than about (validations/s) / licenses per second. No bearer token; only
// 200 with code VALID counts. Usage clients: POST /api/v1/licenses/{id}/usage (ai_requests, 1) with the admin key,
// client j over licenses j, j + usage-clients, ...; each is a durable command (a UsageRecorded event); only 200 counts.
// Raw: the same number of clients as validations, each with its own JDBC connection (reWriteBatchedInserts=true,
// autocommit), inserting --raw-batch rows per statement (one durable commit per batch) into bench_raw_validations,
// created LIKE license_validations INCLUDING ALL (same columns, primary key and indexes) and dropped at the end.
//
// An unmeasured initial warm-up (JIT, bindings) comes first; then each round runs [validations, usage, raw], each
// with its own warm-up and a measured window of the same length; the summary reports the median over the rounds.
// After the platform phases it waits for the asynchronous projections to catch up. At the end it checks that
// license_validations holds at least one VALID row for every VALID answer the clients received. The organization,
// licenses, validations and usage stay (event sourcing), recognisable by the slug "bench-lic-<run id>".

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public class LicensingBench {

    static int clients = 64;
    static int usageClients = 16;
    static int licenseCount = 3000;
    static int seconds = 20;
    static int warmup = 5;
    static int rounds = 3;
    static int rawBatch = 100;
    static int initialWarmup = 30;

    static final double TARGET_PER_SECOND = 10_000;
    static final double TARGET_P99_MS = 10;
    static final int MAX_ERROR_BODIES = 5;
    /** A phase gives up once this many requests failed: the server is clearly not healthy. */
    static final int ABORT_AFTER_ERRORS = 5000;
    static final String RAW_TABLE = "bench_raw_validations";
    static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*\"([0-9a-fA-F-]{36})\"");
    static final Pattern KEY = Pattern.compile("\"key\"\\s*:\\s*\"([^\"]+)\"");

    static String baseUrl;
    static String adminKey;
    static String dbUrl, dbUser, dbPassword;
    static final String runId = Long.toString(System.currentTimeMillis() / 1000 % 10_000_000, 36)
            + Integer.toString(new Random().nextInt(36 * 36), 36);

    static String orgId;
    static String[] licenseIds;
    static String[] licenseKeys;
    /** VALID answers received in every validation phase (warm-ups included), for the recorded-before-answer check. */
    static final AtomicLong validAnswers = new AtomicLong();

    /** What one measured window produced; {@code latenciesNanos} per request (raw: per batch statement). */
    record Result(long ops, long errors, long tooMany, double seconds, long[] latenciesNanos, Cpu cpu) {
        double perSecond() { return ops / seconds; }
        double pMillis(double p) { return percentile(latenciesNanos, p) / 1e6; }
    }

    static final class Abort extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Abort(String message) { super(message); }
    }

    public static void main(String[] args) throws Exception {
        try {
            run(args);
        } catch (Abort e) {
            die(e.getMessage());
        }
    }

    static void run(String[] args) throws Exception {
        parseArgs(args);
        baseUrl = env("CELAEST_BENCH_BASE_URL", "http://localhost:8080").replaceAll("/+$", "");
        adminKey = System.getenv("CELAEST_BENCH_ADMIN_KEY");
        if (adminKey == null || adminKey.isBlank()) die("CELAEST_BENCH_ADMIN_KEY is not set");
        adminKey = adminKey.strip();
        String pid = env("CELAEST_BENCH_SERVER_PID", "");
        serverPid = pid.matches("[0-9]+") ? Long.parseLong(pid) : -1;
        dbUrl = env("CELAEST_DB_URL", "jdbc:postgresql://127.0.0.1:55432/celaest");
        dbUser = env("CELAEST_DB_USER", "celaest");
        dbPassword = env("CELAEST_DB_PASSWORD", "celaest");
        requireLocal(URI.create(baseUrl).getHost(), "CELAEST_BENCH_BASE_URL");
        requireLocal(URI.create(dbUrl.substring("jdbc:".length())).getHost(), "CELAEST_DB_URL");

        String pgVersion;
        try (Connection c = connect(); Statement s = c.createStatement()) {
            pgVersion = one(s, "SHOW server_version");
            String fsync = one(s, "SHOW fsync");
            String syncCommit = one(s, "SHOW synchronous_commit");
            System.out.printf("PostgreSQL %s: fsync=%s synchronous_commit=%s wal_sync_method=%s commit_delay=%s "
                            + "shared_buffers=%s%n", pgVersion, fsync, syncCommit, one(s, "SHOW wal_sync_method"),
                    one(s, "SHOW commit_delay"), one(s, "SHOW shared_buffers"));
            if (!fsync.equals("on") || !syncCommit.equals("on")) {
                die("fsync and synchronous_commit must both be 'on' for a durable comparison");
            }
            long[] backend = procStat(Long.parseLong(one(s, "SELECT pg_backend_pid()")));
            postmasterPid = backend == null ? -1 : backend[0];
            s.execute("DROP TABLE IF EXISTS " + RAW_TABLE);
            s.execute("CREATE TABLE " + RAW_TABLE + " (LIKE license_validations INCLUDING ALL)");
        }
        String limits = rateLimitNote();
        String pool = System.getenv("CELAEST_DB_POOL_SIZE");
        if (pool != null && !pool.isBlank()) {
            limits += "; CELAEST_DB_POOL_SIZE=" + pool + " in this environment (applies if the server was started with it)";
        }
        System.out.printf("Run %s: %d validation clients (each from its own 127.0.x.y), %d usage clients, %d licenses, "
                        + "%d round(s) of [validations, usage, raw], each %ds warm-up + %ds measured; raw batches of %d rows%n"
                        + "rate limits: %s%n%n", runId, clients, usageClients, licenseCount, rounds, warmup, seconds,
                rawBatch, limits);

        List<Result> valid = new ArrayList<>();
        List<Result> usage = new ArrayList<>();
        List<Result> raw = new ArrayList<>();
        try {
            setup();
            bindAll();
            monitor = connect();
            idle = idleWindow();
            if (initialWarmup > 0) {
                System.out.printf("initial warm-up: %d s of validations, then usage (not measured)%n",
                        initialWarmup);
                Result w = validationPhase(new Window(initialWarmup, 0));
                if (w.errors() > 0) System.out.println("  warm-up errors: " + w.errors());
                usagePhase(new Window(Math.max(5, initialWarmup / 3), 0));
                awaitProjections();
            }
            for (int round = 1; round <= rounds; round++) {
                Result v = validationPhase(new Window(warmup, seconds));
                valid.add(v);
                print("round " + round + " validations", v, "validations/s");
                if (v.errors() >= ABORT_AFTER_ERRORS) throw new Abort("too many validation errors, stopping");
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
            try (Connection c = connect(); Statement s = c.createStatement()) {
                s.execute("DROP TABLE IF EXISTS " + RAW_TABLE);
            } catch (SQLException e) {
                System.err.println("could not drop " + RAW_TABLE + ": " + e.getMessage());
            }
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
        LeanPoster admin = new LeanPoster(adminKey, null);
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
                LeanPoster http = new LeanPoster(adminKey, null);
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
                LeanPoster http = new LeanPoster(null, clientAddress(client));
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
    // Platform phases: closed-loop clients, each with its own keep-alive connection.
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

    static Result httpPhase(Window w, int clientCount, String name, int okStatus, String okMarker, boolean validation,
                            Function<Integer, Requests> plan) throws InterruptedException {
        AtomicLong errors = new AtomicLong();
        AtomicLong measuredErrors = new AtomicLong();
        AtomicLong measuredTooMany = new AtomicLong();
        ConcurrentLinkedQueue<String> errorSamples = new ConcurrentLinkedQueue<>();
        List<LongList> latencies = new ArrayList<>();
        CountDownLatch done = new CountDownLatch(clientCount);
        for (int t = 0; t < clientCount; t++) {
            LongList lat = new LongList();
            latencies.add(lat);
            int client = t;
            new Thread(() -> {
                try {
                    Requests requests = plan.apply(client);
                    LeanPoster http = validation ? new LeanPoster(null, clientAddress(client)) : new LeanPoster(adminKey, null);
                    long n = 0;
                    while (!w.over() && errors.get() < ABORT_AFTER_ERRORS) {
                        String[] request = requests.next(n++);
                        long start = System.nanoTime();
                        int status;
                        String body;
                        try {
                            Reply reply = http.post(request[0], request[1]);
                            status = reply.status();
                            body = reply.body();
                        } catch (IOException e) {
                            status = -1;
                            body = e.toString();
                            http.close();
                        }
                        long end = System.nanoTime();
                        boolean measured = w.measured(start, end);
                        if (status == okStatus && body.contains(okMarker)) {
                            if (measured) lat.add(end - start);
                            if (validation) validAnswers.incrementAndGet();
                        } else {
                            errors.incrementAndGet();
                            if (measured) measuredErrors.incrementAndGet();
                            if (measured && status == 429) measuredTooMany.incrementAndGet();
                            if (errorSamples.size() < MAX_ERROR_BODIES) {
                                errorSamples.add("POST " + request[0] + " -> " + status + ": " + abbreviate(body));
                            }
                            if (status == -1) sleep(100);
                        }
                    }
                    http.close();
                } catch (Throwable e) {
                    e.printStackTrace();
                    errorSamples.add(Thread.currentThread().getName() + " died: " + e);
                    errors.addAndGet(ABORT_AFTER_ERRORS);
                } finally {
                    done.countDown();
                }
            }, name + "-client-" + t).start();
        }
        done.await();
        for (String sample : errorSamples) System.out.println("  " + name + " error: " + sample);
        if (errors.get() > measuredErrors.get()) {
            System.out.printf("  %s: %d failed requests in this phase, warm-up included%n", name, errors.get());
        }
        long[] all = merge(latencies);
        return new Result(all.length, errors.get() >= ABORT_AFTER_ERRORS ? errors.get() : measuredErrors.get(),
                measuredTooMany.get(), seconds, all, w.cpu());
    }

    // ------------------------------------------------------------------------------------------------------------
    // A minimal HTTP/1.1 keep-alive client over a plain socket (as in IdentityThroughput: java.net.http costs about
    // 1 ms of CPU per request, several times this one, on the same 2 cores). Optionally bound to a local address.
    // ------------------------------------------------------------------------------------------------------------

    record Reply(int status, String body) {
    }

    static final class LeanPoster {
        final String host;
        final InetSocketAddress remote;
        final String bearer;
        final InetAddress local;
        Socket socket;
        InputStream in;
        OutputStream out;

        LeanPoster(String bearer, InetAddress local) {
            URI uri = URI.create(baseUrl);
            host = uri.getHost();
            int port = uri.getPort() == -1 ? 80 : uri.getPort();
            // IPv4 loopback explicitly: a socket bound to 127.0.x.y cannot reach ::1, which "localhost" may mean.
            remote = new InetSocketAddress(host.equals("localhost") ? "127.0.0.1" : host, port);
            this.bearer = bearer;
            this.local = local;
        }

        Reply post(String path, String json) throws IOException {
            if (socket == null) {
                socket = new Socket();
                socket.setTcpNoDelay(true);
                socket.setSoTimeout(30_000);
                if (local != null) socket.bind(new InetSocketAddress(local, 0));
                socket.connect(remote, 5_000);
                in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
                out = new BufferedOutputStream(socket.getOutputStream(), 16 * 1024);
            }
            byte[] body = json.getBytes(StandardCharsets.UTF_8);
            String head = "POST " + path + " HTTP/1.1\r\nHost: " + host + ":" + remote.getPort()
                    + (bearer == null ? "" : "\r\nAuthorization: Bearer " + bearer)
                    + "\r\nContent-Type: application/json\r\nAccept: application/json\r\nContent-Length: "
                    + body.length + "\r\n\r\n";
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();

            String statusLine = line();
            String[] parts = statusLine.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) throw new IOException("bad status line: " + statusLine);
            int status = Integer.parseInt(parts[1]);
            int length = -1;
            boolean chunked = false, closeAfter = false;
            for (String h; !(h = line()).isEmpty(); ) {
                int colon = h.indexOf(':');
                if (colon < 0) continue;
                String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = h.substring(colon + 1).trim();
                switch (name) {
                    case "content-length" -> length = Integer.parseInt(value);
                    case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                    case "connection" -> closeAfter = value.equalsIgnoreCase("close");
                    default -> { }
                }
            }
            ByteArrayOutputStream received = new ByteArrayOutputStream(512);
            if (chunked) {
                for (int size; (size = Integer.parseInt(line().split(";", 2)[0].trim(), 16)) > 0; ) {
                    received.write(in.readNBytes(size));
                    line();
                }
                while (!line().isEmpty()) { }                 // trailers
            } else if (length >= 0) {
                byte[] b = in.readNBytes(length);
                if (b.length < length) throw new IOException("connection closed mid-body");
                received.write(b);
            } else {
                received.write(in.readAllBytes());            // body delimited by connection close
                closeAfter = true;
            }
            if (closeAfter) close();
            return new Reply(status, received.toString(StandardCharsets.UTF_8));
        }

        String line() throws IOException {
            StringBuilder b = new StringBuilder(64);
            for (int c; (c = in.read()) != '\n'; ) {
                if (c == -1) throw new IOException("connection closed by server");
                if (c != '\r') b.append((char) c);
            }
            return b.toString();
        }

        void close() {
            if (socket != null) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                }
            }
            socket = null;
        }
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
        Connection[] connections = new Connection[clients];
        for (int t = 0; t < clients; t++) {
            connections[t] = DriverManager.getConnection(url, dbUser, dbPassword);
            connections[t].setAutoCommit(true);
        }
        Window w = new Window(warmup, seconds);
        AtomicLong errors = new AtomicLong();
        AtomicLong rows = new AtomicLong();
        ConcurrentLinkedQueue<String> errorSamples = new ConcurrentLinkedQueue<>();
        List<LongList> latencies = new ArrayList<>();
        CountDownLatch done = new CountDownLatch(clients);
        UUID org = UUID.fromString(orgId);
        for (int t = 0; t < clients; t++) {
            LongList lat = new LongList();
            latencies.add(lat);
            Connection c = connections[t];
            int client = t;
            new Thread(() -> {
                String ip = clientAddress(client).getHostAddress();
                String fingerprint = "bench-" + runId + "-c" + client;
                List<UUID> ids = new ArrayList<>();
                for (int i = client; i < licenseCount; i += clients) ids.add(UUID.fromString(licenseIds[i]));
                long n = 0;
                try (PreparedStatement insert = c.prepareStatement("INSERT INTO " + RAW_TABLE + " (id, license_id, "
                        + "organization_id, validated_at, ip, fingerprint, product_id, code, valid) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                    while (!w.over()) {
                        long start = System.nanoTime();
                        Timestamp now = new Timestamp(System.currentTimeMillis());
                        for (int r = 0; r < rawBatch; r++) {
                            insert.setObject(1, UUID.randomUUID());
                            insert.setObject(2, ids.get((int) (n++ % ids.size())));
                            insert.setObject(3, org);
                            insert.setTimestamp(4, now);
                            insert.setString(5, ip);
                            insert.setString(6, fingerprint);
                            insert.setObject(7, null, java.sql.Types.OTHER);
                            insert.setString(8, "VALID");
                            insert.setBoolean(9, true);
                            insert.addBatch();
                        }
                        try {
                            insert.executeBatch();
                            long end = System.nanoTime();
                            if (w.measured(start, end)) {
                                lat.add(end - start);
                                rows.addAndGet(rawBatch);
                            }
                        } catch (SQLException e) {
                            long end = System.nanoTime();
                            if (w.measured(start, end)) errors.incrementAndGet();
                            if (errorSamples.size() < MAX_ERROR_BODIES) errorSamples.add(e.toString());
                            sleep(100);
                        }
                    }
                } catch (SQLException e) {
                    errorSamples.add(e.toString());
                } finally {
                    done.countDown();
                }
            }, "raw-client-" + t).start();
        }
        done.await();
        for (Connection c : connections) c.close();
        for (String sample : errorSamples) System.out.println("  raw error: " + sample);
        return new Result(rows.get(), errors.get(), 0, seconds, merge(latencies), w.cpu());
    }

    // ------------------------------------------------------------------------------------------------------------

    /**
     * Waits until every tracking processor's token has reached the event log's head as of now, so that the backlog of
     * a platform phase does not run during the next one; returns the seconds it took (-1: unreadable or over 120 s).
     */
    static double awaitProjections() throws SQLException, InterruptedException {
        long started = System.nanoTime();
        try (Connection c = connect(); Statement s = c.createStatement()) {
            long head = Long.parseLong(one(s, "SELECT coalesce(max(global_index), 0) FROM domain_event_entry"));
            String tokens = "SELECT min((substring(convert_from(token, 'UTF8') from '\"index\":([0-9]+)'))::bigint) "
                    + "FROM token_entry WHERE token IS NOT NULL";
            while (System.nanoTime() - started < 120_000_000_000L) {
                String min = one(s, tokens);
                if (min == null) return -1;
                if (Long.parseLong(min) >= head) {
                    double secs = (System.nanoTime() - started) / 1e9;
                    System.out.printf(Locale.ROOT, "  projections caught up with the event log in %.1f s%n", secs);
                    return secs;
                }
                Thread.sleep(200);
            }
        }
        System.out.println("  projections still behind after 120 s; continuing");
        return -1;
    }

    /** Warm-up from now, then the measured window; an operation counts when it starts and ends inside the window. */
    static final class Window {
        final long measureStart;
        final long measureEnd;
        private volatile Cpu cpu;
        private final Thread meter;

        Window(int warmupSeconds, int measuredSeconds) {
            measureStart = System.nanoTime() + warmupSeconds * 1_000_000_000L;
            measureEnd = measureStart + measuredSeconds * 1_000_000_000L;
            meter = new Thread(() -> {
                try {
                    sleepUntil(measureStart);
                    CpuSnapshot start = CpuSnapshot.take();
                    sleepUntil(measureEnd);
                    cpu = CpuSnapshot.take().minus(start);
                } catch (RuntimeException | InterruptedException e) {
                    cpu = null;
                }
            }, "cpu-meter");
            meter.setDaemon(true);
            meter.start();
        }

        boolean over() { return System.nanoTime() >= measureEnd; }

        boolean measured(long start, long end) { return start >= measureStart && end <= measureEnd; }

        Cpu cpu() throws InterruptedException {
            meter.join(10_000);
            return cpu;
        }

        static void sleepUntil(long nanoTime) throws InterruptedException {
            long left;
            while ((left = nanoTime - System.nanoTime()) > 0) Thread.sleep(Math.max(1, left / 1_000_000));
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // CPU accounting from /proc (as IdentityThroughput): the server JVM, every process of the PostgreSQL cluster,
    // this load generator, the whole machine; plus PostgreSQL's commits and WAL syncs (pg_stat_database, pg_stat_wal;
    // the statistics are flushed by backends about once a second, so these are close, not exact).
    // ------------------------------------------------------------------------------------------------------------

    static long serverPid = -1;
    static long postmasterPid = -1;
    static Connection monitor;
    static final double TICKS = 100.0;                        // USER_HZ on Linux

    record Cpu(double server, double postgres, double client, double machineBusy, double wall, double commits,
               double walSyncs) {
        double others() { return Math.max(0, machineBusy - server - postgres - client); }
    }

    record CpuSnapshot(long nanos, double server, Map<Long, Double> postgres, double client, double machineBusy,
                       double commits, double walSyncs) {
        static CpuSnapshot take() {
            Map<Long, Double> pg = new HashMap<>();
            if (postmasterPid > 0) {
                File[] procs = new File("/proc").listFiles((dir, name) -> name.chars().allMatch(Character::isDigit));
                for (File proc : procs == null ? new File[0] : procs) {
                    long pid = Long.parseLong(proc.getName());
                    long[] st = procStat(pid);
                    if (st != null && (pid == postmasterPid || st[0] == postmasterPid)) pg.put(pid, st[1] / TICKS);
                }
            }
            long[] server = serverPid > 0 ? procStat(serverPid) : null;
            long[] self = procStat(ProcessHandle.current().pid());
            double commits = Double.NaN, walSyncs = Double.NaN;
            synchronized (LicensingBench.class) {
                if (monitor != null) {
                    try (Statement s = monitor.createStatement()) {
                        s.execute("SELECT pg_stat_clear_snapshot()");
                        commits = Double.parseDouble(one(s,
                                "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"));
                        walSyncs = Double.parseDouble(one(s, "SELECT wal_sync FROM pg_stat_wal"));
                    } catch (SQLException | RuntimeException e) {
                        // statistics are optional
                    }
                }
            }
            return new CpuSnapshot(System.nanoTime(), server == null ? Double.NaN : server[1] / TICKS, pg,
                    self == null ? Double.NaN : self[1] / TICKS, readMachineBusy(), commits, walSyncs);
        }

        Cpu minus(CpuSnapshot start) {
            double pgCpu = 0;
            for (Map.Entry<Long, Double> e : postgres.entrySet()) {
                pgCpu += e.getValue() - start.postgres.getOrDefault(e.getKey(), 0.0);
            }
            return new Cpu(server - start.server, postmasterPid > 0 ? pgCpu : Double.NaN, client - start.client,
                    machineBusy - start.machineBusy, (nanos - start.nanos) / 1e9, commits - start.commits,
                    walSyncs - start.walSyncs);
        }
    }

    /** {ppid, utime + stime in ticks} of a process, or null. */
    static long[] procStat(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return new long[]{Long.parseLong(f[1]), Long.parseLong(f[11]) + Long.parseLong(f[12])};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    static double readMachineBusy() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length && i <= 8; i++) total += Long.parseLong(f[i]);
            return (total - Long.parseLong(f[4]) - Long.parseLong(f[5])) / TICKS;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

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
        System.out.printf("machine: %d cpus (%s), %s %s, java %s (%s), PostgreSQL %s%n",
                Runtime.getRuntime().availableProcessors(), cpuModel(), System.getProperty("os.name"),
                System.getProperty("os.arch"), System.getProperty("java.runtime.version"),
                System.getProperty("java.vm.name"), pgVersion);
        System.out.println("code: " + env("CELAEST_BENCH_CODE", "unknown"));
        System.out.printf("load: %d validation clients over %d licenses, %d usage clients, %ds initial warm-up, "
                        + "%ds warm-up + %ds measured per phase, %d rounds, raw batches of %d rows%n", clients,
                licenseCount, usageClients, initialWarmup, warmup, seconds, rounds, rawBatch);
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

    static String rates(List<Result> results) {
        StringBuilder b = new StringBuilder();
        for (Result r : results) b.append(b.length() == 0 ? "" : "/").append(Math.round(r.perSecond()));
        return b.toString();
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

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) return Double.NaN;
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    static long[] merge(List<LongList> lists) {
        int n = lists.stream().mapToInt(l -> l.size).sum();
        long[] all = new long[n];
        int i = 0;
        for (LongList l : lists) {
            System.arraycopy(l.values, 0, all, i, l.size);
            i += l.size;
        }
        Arrays.sort(all);
        return all;
    }

    static final class LongList {
        long[] values = new long[1 << 14];
        int size;

        void add(long v) {
            if (size == values.length) values = Arrays.copyOf(values, size * 2);
            values[size++] = v;
        }
    }

    static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("unknown cpu");
        } catch (IOException e) {
            return "unknown cpu";
        }
    }

    static Connection connect() throws SQLException {
        return DriverManager.getConnection(dbUrl, dbUser, dbPassword);
    }

    static String one(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    static void requireLocal(String host, String what) {
        if (host == null || !(host.equals("localhost") || host.equals("127.0.0.1") || host.equals("::1")
                || host.equals("[::1]"))) {
            die(what + " must point at localhost (got host " + host + ")");
        }
    }

    static String abbreviate(String s) {
        s = s == null ? "" : s.replaceAll("\\s+", " ");
        return s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    static void parseArgs(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (i + 1 >= args.length) die("missing value after " + a);
            int v;
            try {
                v = Integer.parseInt(args[++i]);
            } catch (NumberFormatException e) {
                die("not a number after " + a + ": " + args[i]);
                return;
            }
            switch (a) {
                case "--clients" -> clients = v;
                case "--usage-clients" -> usageClients = v;
                case "--licenses" -> licenseCount = v;
                case "--seconds" -> seconds = v;
                case "--warmup" -> warmup = v;
                case "--rounds" -> rounds = v;
                case "--raw-batch" -> rawBatch = v;
                case "--initial-warmup" -> initialWarmup = v;
                default -> die("unknown option " + a + " (known: --clients, --usage-clients, --licenses, --seconds, "
                        + "--warmup, --rounds, --raw-batch, --initial-warmup)");
            }
        }
        if (clients < 1 || clients > 1000 || usageClients < 1 || usageClients > 256 || licenseCount < clients
                || licenseCount < usageClients || licenseCount > 100_000 || seconds < 1 || seconds > 600 || warmup < 0
                || warmup > 600 || rounds < 1 || rounds > 10 || rawBatch < 1 || rawBatch > 5000 || initialWarmup < 0
                || initialWarmup > 600) {
            die("option out of range (clients 1-1000, usage-clients 1-256, licenses >= both and <= 100000, "
                    + "seconds 1-600, warmup 0-600, rounds 1-10, raw-batch 1-5000, initial-warmup 0-600)");
        }
    }

    static void die(String message) {
        System.err.println("LicensingBench: " + message);
        System.exit(2);
    }
}
