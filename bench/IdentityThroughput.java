// Identity command throughput through the platform vs raw PostgreSQL durable single-row inserts.
//
// Run through `./celaest bench identity` (bench/run), or by hand:
//   java -cp ~/.m2/repository/org/postgresql/postgresql/<v>/postgresql-<v>.jar bench/IdentityThroughput.java \
//        [--clients 16] [--seconds 20] [--warmup 5] [--rounds 3] [--users-per-org 50] [--initial-warmup 30]
//        [--http lean|jdk]
// Environment: CELAEST_BENCH_BASE_URL (default http://localhost:8080), CELAEST_BENCH_ADMIN_KEY (required),
//              CELAEST_DB_URL / CELAEST_DB_USER / CELAEST_DB_PASSWORD (default the private cluster, celaest/celaest).
//
// An unmeasured initial platform warm-up (JIT) comes first; then each round runs the platform phase then the raw
// phase, each with its own warm-up and a measured window of the same length; the summary reports the median over
// the rounds. After each platform phase it waits for the asynchronous projections to catch up, so their backlog
// does not run during the raw phase. Only localhost is contacted. The raw table
// (bench_raw_insert) is dropped at the end; the organizations the platform phase creates stay in the event
// store (event sourcing: nothing is deleted), recognisable by their slug prefix "bench-<run id>-".

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public class IdentityThroughput {

    static int clients = 16;
    static int seconds = 20;
    static int warmup = 5;
    static int rounds = 3;
    static int usersPerOrg = 50;
    static boolean jdkHttp = false;
    static int initialWarmup = 30;

    static final int PAYLOAD_BYTES = 300;
    static final int MAX_ERROR_BODIES = 5;
    /** A phase gives up once this many commands failed: the server is clearly not healthy. */
    static final int ABORT_AFTER_ERRORS = 2000;
    static final String RAW_TABLE = "bench_raw_insert";
    static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*\"([0-9a-fA-F-]{36})\"");

    static String baseUrl;
    static String adminKey;
    static String dbUrl, dbUser, dbPassword;
    static final String runId = Long.toString(System.currentTimeMillis() / 1000 % 10_000_000, 36)
            + Integer.toString(new Random().nextInt(36 * 36), 36);

    /** What one measured window produced. */
    record Result(long ops, long errors, double seconds, long[] latenciesNanos, Cpu cpu) {
        double perSecond() { return ops / seconds; }
        double pMillis(double p) { return percentile(latenciesNanos, p) / 1e6; }
    }

    /** Stops the run; the raw table is still dropped. */
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
        serverPid = pid.matches("[0-9]+") ? Long.parseLong(pid) : -1;  // without it the server's CPU is not counted
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
            String walSync = one(s, "SHOW wal_sync_method");
            String commitDelay = one(s, "SHOW commit_delay");
            System.out.printf("PostgreSQL %s: fsync=%s synchronous_commit=%s wal_sync_method=%s commit_delay=%s%n",
                    pgVersion, fsync, syncCommit, walSync, commitDelay);
            if (!fsync.equals("on") || !syncCommit.equals("on")) {
                die("fsync and synchronous_commit must both be 'on' for a durable comparison");
            }
            long[] backend = procStat(Long.parseLong(one(s, "SELECT pg_backend_pid()")));
            postmasterPid = backend == null ? -1 : backend[0];
            s.execute("CREATE TABLE IF NOT EXISTS " + RAW_TABLE
                    + " (id bigserial PRIMARY KEY, payload bytea, created_at timestamptz DEFAULT now())");
        }
        System.out.printf("Run %s: %d clients, %d round(s) of [platform, raw], each %ds warm-up + %ds measured; "
                + "%d users per organization; %s HTTP client%n%n", runId, clients, rounds, warmup, seconds, usersPerOrg,
                jdkHttp ? "java.net.http" : "lean");

        List<Result> platform = new ArrayList<>();
        List<Result> raw = new ArrayList<>();
        List<Double> catchUps = new ArrayList<>();
        try {
            if (initialWarmup > 0) {
                // A freshly started server JIT-compiles for a minute or more on 2 cores; keep that out of round 1.
                System.out.printf("initial platform warm-up: %d s (not measured)%n", initialWarmup);
                Result p = platformPhase(0, new Window(initialWarmup, 0));
                if (p.errors() > 0) System.out.println("  warm-up errors: " + p.errors());
                awaitProjections();
            }
            for (int round = 1; round <= rounds; round++) {
                Result p = platformPhase(round);
                platform.add(p);
                print("round " + round + " platform", p, "commands/s");
                if (p.errors() >= ABORT_AFTER_ERRORS) throw new Abort("too many platform errors, stopping");
                double catchUp = awaitProjections();
                catchUps.add(catchUp);
                Result r = rawPhase();
                raw.add(r);
                print("round " + round + " raw     ", r, "inserts/s ");
            }
        } finally {
            try (Connection c = connect(); Statement s = c.createStatement()) {
                s.execute("DROP TABLE IF EXISTS " + RAW_TABLE);
            } catch (SQLException e) {
                System.err.println("could not drop " + RAW_TABLE + ": " + e.getMessage());
            }
        }
        summary(platform, raw, catchUps, pgVersion);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Platform phase: each client creates an enterprise organization, then adds users to it, and repeats.
    // ------------------------------------------------------------------------------------------------------------

    static Result platformPhase(int round) throws InterruptedException {
        return platformPhase(round, new Window(warmup, seconds));
    }

    static Result platformPhase(int round, Window w) throws InterruptedException {
        AtomicLong errors = new AtomicLong();
        AtomicLong measuredErrors = new AtomicLong();
        ConcurrentLinkedQueue<String> errorSamples = new ConcurrentLinkedQueue<>();
        List<LongList> latencies = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        CountDownLatch done = new CountDownLatch(clients);
        for (int t = 0; t < clients; t++) {
            LongList lat = new LongList();
            latencies.add(lat);
            int client = t;
            Thread thread = new Thread(() -> {
                try {
                    Poster http = jdkHttp ? new JdkPoster() : new LeanPoster();
                    int orgSeq = 0;
                    String orgId = null;
                    int usersInOrg = 0;
                    while (!w.over() && errors.get() < ABORT_AFTER_ERRORS) {
                        String path, body;
                        boolean creatingOrg = orgId == null || usersInOrg >= usersPerOrg;
                        if (creatingOrg) {
                            String slug = "bench-" + runId + "-" + round + "-" + client + "-" + (orgSeq++);
                            path = "/api/v1/organizations";
                            body = "{\"name\":\"Bench " + slug + "\",\"slug\":\"" + slug + "\",\"plan\":\"enterprise\"}";
                        } else {
                            path = "/api/v1/organizations/" + orgId + "/users";
                            body = "{\"email\":\"user" + usersInOrg + "@bench.example\",\"name\":\"Bench User "
                                    + usersInOrg + "\",\"role\":\"member\"}";
                        }
                        long start = System.nanoTime();
                        int status;
                        String responseBody;
                        try {
                            Reply reply = http.post(path, body);
                            status = reply.status();
                            responseBody = reply.body();
                        } catch (IOException e) {
                            status = -1;
                            responseBody = e.toString();
                            http.close();
                        }
                        long end = System.nanoTime();
                        if (status == 201) {
                            if (w.measured(start, end)) lat.add(end - start);
                            if (creatingOrg) {
                                Matcher m = ID.matcher(responseBody);
                                if (!m.find()) throw new IllegalStateException("no id in " + responseBody);
                                orgId = m.group(1);
                                usersInOrg = 0;
                            } else {
                                usersInOrg++;
                            }
                        } else {
                            errors.incrementAndGet();
                            if (w.measured(start, end)) measuredErrors.incrementAndGet();
                            if (errorSamples.size() < MAX_ERROR_BODIES) {
                                errorSamples.add("POST " + path + " -> " + status + ": " + abbreviate(responseBody));
                            }
                            if (creatingOrg) orgId = null;      // try a fresh organization
                            else usersInOrg++;                   // skip this email
                            if (status == -1) sleep(100);        // connection trouble: do not spin
                        }
                    }
                } catch (Throwable e) {
                    e.printStackTrace();
                    errorSamples.add(Thread.currentThread().getName() + " died: " + e);
                    errors.addAndGet(ABORT_AFTER_ERRORS);
                } finally {
                    done.countDown();
                }
            }, "platform-client-" + t);
            threads.add(thread);
            thread.start();
        }
        done.await();
        for (String sample : errorSamples) System.out.println("  error: " + sample);
        long[] all = merge(latencies);
        return new Result(all.length, errors.get() >= ABORT_AFTER_ERRORS ? errors.get() : measuredErrors.get(),
                seconds, all, w.cpu());
    }

    // ------------------------------------------------------------------------------------------------------------
    // HTTP clients. The default is a minimal HTTP/1.1 keep-alive client over a plain socket: on a 2-core machine
    // the load generator shares the CPU with the server and PostgreSQL, and java.net.http.HttpClient costs about
    // 1 ms of CPU per request (measured), several times this one. --http jdk switches to java.net.http.
    // ------------------------------------------------------------------------------------------------------------

    record Reply(int status, String body) {
    }

    interface Poster {
        Reply post(String path, String json) throws IOException;

        default void close() {
        }
    }

    static final class JdkPoster implements Poster {
        final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();

        public Reply post(String path, String json) throws IOException {
            HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                    .timeout(Duration.ofSeconds(30))
                    .header("Authorization", "Bearer " + adminKey)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json)).build();
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                return new Reply(response.statusCode(), response.body());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }
    }

    /** One keep-alive connection; reconnects when the server closes it. Handles Content-Length and chunked bodies. */
    static final class LeanPoster implements Poster {
        final String host;
        final int port;
        Socket socket;
        InputStream in;
        OutputStream out;

        LeanPoster() {
            URI uri = URI.create(baseUrl);
            host = uri.getHost();
            port = uri.getPort() == -1 ? 80 : uri.getPort();
        }

        public Reply post(String path, String json) throws IOException {
            if (socket == null) {
                socket = new Socket();
                socket.setTcpNoDelay(true);
                socket.setSoTimeout(30_000);
                socket.connect(new InetSocketAddress(host, port), 5_000);
                in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
                out = new BufferedOutputStream(socket.getOutputStream(), 16 * 1024);
            }
            byte[] body = json.getBytes(StandardCharsets.UTF_8);
            String head = "POST " + path + " HTTP/1.1\r\nHost: " + host + ":" + port
                    + "\r\nAuthorization: Bearer " + adminKey
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

        public void close() {
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
    // Raw phase: each client has its own connection, autocommit on (every insert its own durable commit).
    // ------------------------------------------------------------------------------------------------------------

    static Result rawPhase() throws Exception {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("TRUNCATE " + RAW_TABLE);
        }
        Connection[] connections = new Connection[clients];
        for (int t = 0; t < clients; t++) {
            connections[t] = connect();
            connections[t].setAutoCommit(true);
        }
        Window w = new Window(warmup, seconds);
        AtomicLong errors = new AtomicLong();
        ConcurrentLinkedQueue<String> errorSamples = new ConcurrentLinkedQueue<>();
        List<LongList> latencies = new ArrayList<>();
        CountDownLatch done = new CountDownLatch(clients);
        for (int t = 0; t < clients; t++) {
            LongList lat = new LongList();
            latencies.add(lat);
            Connection c = connections[t];
            new Thread(() -> {
                Random random = new Random();
                byte[] payload = new byte[PAYLOAD_BYTES];
                try (PreparedStatement insert = c.prepareStatement("INSERT INTO " + RAW_TABLE + " (payload) VALUES (?)")) {
                    while (!w.over()) {
                        random.nextBytes(payload);
                        insert.setBytes(1, payload);
                        long start = System.nanoTime();
                        try {
                            insert.executeUpdate();
                            long end = System.nanoTime();
                            if (w.measured(start, end)) lat.add(end - start);
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
        long[] all = merge(latencies);
        return new Result(all.length, errors.get(), seconds, all, w.cpu());
    }

    // ------------------------------------------------------------------------------------------------------------

    /**
     * Projections run asynchronously (Axon tracking processors), so a platform window leaves work behind. Waits until
     * every processor's token has reached the event log's head as of now, so that this backlog does not run during the
     * raw phase; returns the seconds it took (-1 when the tokens could not be read or it took over 120 s).
     */
    static double awaitProjections() throws SQLException, InterruptedException {
        long started = System.nanoTime();
        try (Connection c = connect(); Statement s = c.createStatement()) {
            long head = Long.parseLong(one(s, "SELECT coalesce(max(global_index), 0) FROM domain_event_entry"));
            String tokens = "SELECT min((substring(convert_from(token, 'UTF8') from '\"index\":([0-9]+)'))::bigint) "
                    + "FROM token_entry WHERE token IS NOT NULL";
            while (System.nanoTime() - started < 120_000_000_000L) {
                String min = one(s, tokens);
                if (min == null) return -1;                    // no readable tokens: nothing to wait for
                if (Long.parseLong(min) >= head) {
                    double seconds = (System.nanoTime() - started) / 1e9;
                    System.out.printf(Locale.ROOT, "  projections caught up with the event log in %.1f s%n", seconds);
                    return seconds;
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

        /** CPU used during the measured window; null when it could not be read. */
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
    // CPU accounting from /proc (everything runs on this machine): the server JVM (pid from bench/run), every
    // process of the PostgreSQL cluster (the postmaster and its children), this load generator, and the whole
    // machine. On a shared 2-core machine throughput moves with whatever else runs; CPU per operation does not.
    // ------------------------------------------------------------------------------------------------------------

    static long serverPid = -1;
    static long postmasterPid = -1;
    static final double TICKS = 100.0;                        // USER_HZ on Linux

    /** CPU seconds used in a window, and its wall-clock length. */
    record Cpu(double server, double postgres, double client, double machineBusy, double wall) {
        double others() { return Math.max(0, machineBusy - server - postgres - client); }
    }

    record CpuSnapshot(long nanos, double server, Map<Long, Double> postgres, double client, double machineBusy) {
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
            return new CpuSnapshot(System.nanoTime(), server == null ? Double.NaN : server[1] / TICKS, pg,
                    self == null ? Double.NaN : self[1] / TICKS, readMachineBusy());
        }

        /** Backends that started inside the window count in full; ones that exited inside it are lost (rare). */
        Cpu minus(CpuSnapshot start) {
            double pg = 0;
            for (Map.Entry<Long, Double> e : postgres.entrySet()) {
                pg += e.getValue() - start.postgres.getOrDefault(e.getKey(), 0.0);
            }
            return new Cpu(server - start.server, postmasterPid > 0 ? pg : Double.NaN, client - start.client,
                    machineBusy - start.machineBusy, (nanos - start.nanos) / 1e9);
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

    /** Busy CPU seconds of the whole machine (all but idle and iowait). */
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

    /** CPU ms per operation of the processes serving a phase: raw = PostgreSQL + client, platform adds the server. */
    static double cpuPerOp(Result r, boolean platformPhase) {
        Cpu c = r.cpu();
        if (c == null || r.ops() == 0) return Double.NaN;
        double used = c.postgres() + c.client() + (platformPhase ? c.server() : 0);
        return used / (r.ops() * c.wall() / r.seconds()) * 1000;
    }

    static void summary(List<Result> platform, List<Result> raw, List<Double> catchUps, String pgVersion) {
        double pMedian = median(platform.stream().mapToDouble(Result::perSecond).toArray());
        double rMedian = median(raw.stream().mapToDouble(Result::perSecond).toArray());
        double ratio = pMedian / rMedian;
        long pErrors = platform.stream().mapToLong(Result::errors).sum();
        long rErrors = raw.stream().mapToLong(Result::errors).sum();
        System.out.println();
        System.out.println("=== Identity command throughput vs raw PostgreSQL durable inserts ("
                + LocalDateTime.now().format(DateTimeFormatter.ISO_LOCAL_DATE) + ") ===");
        System.out.printf("%-30s %14s %14s%n", "", "platform", "raw insert");
        System.out.printf("%-30s %14.0f %14.0f%n", "ops/s, median of " + rounds + " rounds", pMedian, rMedian);
        System.out.printf("%-30s %14s %14s%n", "ops/s, each round", rates(platform), rates(raw));
        System.out.printf("%-30s %14.1f %14.1f%n", "p50 latency ms (median)",
                median(platform.stream().mapToDouble(r -> r.pMillis(50)).toArray()),
                median(raw.stream().mapToDouble(r -> r.pMillis(50)).toArray()));
        System.out.printf("%-30s %14.1f %14.1f%n", "p99 latency ms (median)",
                median(platform.stream().mapToDouble(r -> r.pMillis(99)).toArray()),
                median(raw.stream().mapToDouble(r -> r.pMillis(99)).toArray()));
        System.out.printf("%-30s %14d %14d%n", "errors in measured windows", pErrors, rErrors);
        System.out.printf("%-30s %14s %14s%n", "projection catch-up s (each)",
                catchUps.stream().map(c -> c < 0 ? "?" : String.format(Locale.ROOT, "%.1f", c))
                        .reduce((a, b) -> a + "/" + b).orElse("-"), "-");
        double pCpu = median(platform.stream().mapToDouble(r -> cpuPerOp(r, true)).toArray());
        double rCpu = median(raw.stream().mapToDouble(r -> cpuPerOp(r, false)).toArray());
        System.out.printf("%-30s %14.2f %14.2f%n", "CPU ms per op (median)", pCpu, rCpu);
        System.out.printf("%-30s %14.2f %14s%n", "other processes, cores (med.)",
                median(platform.stream().mapToDouble(r -> r.cpu() == null ? Double.NaN : r.cpu().others() / r.cpu().wall()).toArray()),
                String.format(Locale.ROOT, "%.2f",
                        median(raw.stream().mapToDouble(r -> r.cpu() == null ? Double.NaN : r.cpu().others() / r.cpu().wall()).toArray())));
        System.out.printf("%-30s %14.2f   (target >= 0.50: %s)%n", "ratio platform / raw", ratio,
                ratio >= 0.5 ? "MET" : "NOT MET");
        System.out.printf("%-30s %14.2f   (raw CPU per insert / platform CPU per command; less sensitive to other load)%n",
                "CPU-normalised ratio", rCpu / pCpu);
        System.out.printf("machine: %d cpus (%s), %s %s, java %s (%s), PostgreSQL %s%n",
                Runtime.getRuntime().availableProcessors(), cpuModel(), System.getProperty("os.name"),
                System.getProperty("os.arch"), System.getProperty("java.runtime.version"),
                System.getProperty("java.vm.name"), pgVersion);
        System.out.println("code: " + env("CELAEST_BENCH_CODE", "unknown"));
        System.out.printf("load: %d clients, %ds initial warm-up, %ds warm-up + %ds measured per phase, %d rounds, "
                + "%d users per org, %s HTTP client%n", clients, initialWarmup, warmup, seconds, rounds, usersPerOrg,
                jdkHttp ? "java.net.http" : "lean");
    }

    static String rates(List<Result> results) {
        StringBuilder b = new StringBuilder();
        for (Result r : results) b.append(b.length() == 0 ? "" : "/").append(Math.round(r.perSecond()));
        return b.toString();
    }

    static void print(String label, Result r, String unit) {
        System.out.printf(Locale.ROOT, "%s: %8.1f %s  p50 %6.1f ms  p99 %6.1f ms  errors %d%n",
                label, r.perSecond(), unit, r.pMillis(50), r.pMillis(99), r.errors());
        Cpu c = r.cpu();
        if (c != null && r.ops() > 0) {
            double ops = r.ops() * c.wall() / r.seconds();
            System.out.printf(Locale.ROOT, "    CPU ms/op: server %.2f  postgres %.2f  client %.2f   "
                            + "(cores busy: server %.2f postgres %.2f client %.2f other processes %.2f)%n",
                    c.server() / ops * 1000, c.postgres() / ops * 1000, c.client() / ops * 1000,
                    c.server() / c.wall(), c.postgres() / c.wall(), c.client() / c.wall(), c.others() / c.wall());
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
            if (a.equals("--http")) {
                String kind = args[++i];
                if (!kind.equals("jdk") && !kind.equals("lean")) die("--http takes jdk or lean");
                jdkHttp = kind.equals("jdk");
                continue;
            }
            int v;
            try {
                v = Integer.parseInt(args[++i]);
            } catch (NumberFormatException e) {
                die("not a number after " + a + ": " + args[i]);
                return;
            }
            switch (a) {
                case "--clients" -> clients = v;
                case "--seconds" -> seconds = v;
                case "--warmup" -> warmup = v;
                case "--rounds" -> rounds = v;
                case "--users-per-org" -> usersPerOrg = v;
                case "--initial-warmup" -> initialWarmup = v;
                default -> die("unknown option " + a
                        + " (known: --clients, --seconds, --warmup, --rounds, --users-per-org, --initial-warmup, --http lean|jdk)");
            }
        }
        if (clients < 1 || clients > 256 || seconds < 1 || seconds > 600 || warmup < 0 || warmup > 600
                || rounds < 1 || rounds > 10 || usersPerOrg < 0 || usersPerOrg > 100_000 || initialWarmup < 0
                || initialWarmup > 600) {
            die("option out of range (clients 1-256, seconds 1-600, warmup 0-600, rounds 1-10, users-per-org 0-100000, "
                    + "initial-warmup 0-600)");
        }
    }

    static void die(String message) {
        System.err.println("IdentityThroughput: " + message);
        System.exit(2);
    }
}
