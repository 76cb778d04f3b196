// What the benchmark programs (IdentityThroughput, LicensingBench, AuditBench) share: their environment, the
// measurement window with its CPU accounting from /proc, statistics, a lean HTTP/1.1 client, closed-loop load
// generators (a blocking thread per client, or non-blocking connections on selector threads) and small JDBC helpers.
//
// bench/run compiles this file together with one program and runs it:
//   javac -d .celaest/bench/classes -cp <postgresql.jar> bench/BenchSupport.java bench/IdentityThroughput.java
//   java -cp .celaest/bench/classes:<postgresql.jar> bench.IdentityThroughput [options]
// The programs live in package "bench" only so that they can `import static bench.BenchSupport.*` (Java cannot
// import from the unnamed package) and call these helpers by their short names.

package bench;

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
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.regex.Pattern;

final class BenchSupport {

    private BenchSupport() {
    }

    // ------------------------------------------------------------------------------------------------------------
    // Environment: set by readEnvironment() at the start of every program (bench/run exports these variables).
    // ------------------------------------------------------------------------------------------------------------

    /** The program's name, the prefix of die()'s message. */
    static String program = "bench";
    static String baseUrl;
    static String adminKey;
    static String dbUrl, dbUser, dbPassword;

    static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*\"([0-9a-fA-F-]{36})\"");
    static final Pattern KEY = Pattern.compile("\"key\"\\s*:\\s*\"([^\"]+)\"");

    /** Reads the server URL, admin key, server pid and database settings; only localhost may be contacted. */
    static void readEnvironment() {
        baseUrl = env("CELAEST_BENCH_BASE_URL", "http://localhost:8080").replaceAll("/+$", "");
        adminKey = env("CELAEST_BENCH_ADMIN_KEY", "").strip();
        if (adminKey.isEmpty()) die("CELAEST_BENCH_ADMIN_KEY is not set");
        String pid = env("CELAEST_BENCH_SERVER_PID", "");
        serverPid = pid.matches("[0-9]+") ? Long.parseLong(pid) : -1;  // without it the server's CPU is not counted
        dbUrl = env("CELAEST_DB_URL", "jdbc:postgresql://127.0.0.1:55432/celaest");
        dbUser = env("CELAEST_DB_USER", "celaest");
        dbPassword = env("CELAEST_DB_PASSWORD", "celaest");
        requireLocal(URI.create(baseUrl).getHost(), "CELAEST_BENCH_BASE_URL");
        requireLocal(URI.create(dbUrl.substring("jdbc:".length())).getHost(), "CELAEST_DB_URL");
    }

    static void requireLocal(String host, String what) {
        if (host == null || !(host.equals("localhost") || host.equals("127.0.0.1") || host.equals("::1")
                || host.equals("[::1]"))) {
            die(what + " must point at localhost (got host " + host + ")");
        }
    }

    static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    /** A short id for this run, to recognise what it created (slugs, fingerprints). */
    static String newRunId() {
        return Long.toString(System.currentTimeMillis() / 1000 % 10_000_000, 36)
                + Integer.toString(new Random().nextInt(36 * 36), 36);
    }

    /** The value after option args[i] (options all take one value). */
    static String optionValue(String[] args, int i) {
        if (i + 1 >= args.length) die("missing value after " + args[i]);
        return args[i + 1];
    }

    static int intValue(String option, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            die("not a number after " + option + ": " + value);
            return 0;
        }
    }

    static long longValue(String option, String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            die("not a number after " + option + ": " + value);
            return 0;
        }
    }

    /** A program's body; see runProgram. */
    interface Program {
        void run(String[] args) throws Exception;
    }

    /** Runs a program's body under its name (die()'s prefix); an Abort from deep inside ends it as die() does. */
    static void runProgram(String name, String[] args, Program body) throws Exception {
        program = name;
        try {
            body.run(args);
        } catch (Abort e) {
            die(e.getMessage());
        }
    }

    static void die(String message) {
        System.err.println(program + ": " + message);
        System.exit(2);
    }

    /** Stops a run from deep inside it; main() turns it into die(), after the finally blocks have cleaned up. */
    static final class Abort extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Abort(String message) { super(message); }
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

    // ------------------------------------------------------------------------------------------------------------
    // PostgreSQL
    // ------------------------------------------------------------------------------------------------------------

    static Connection connect() throws SQLException {
        return DriverManager.getConnection(dbUrl, dbUser, dbPassword);
    }

    /** The first column of the first row. */
    static String one(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** Finds the postmaster (the parent of this session's backend), so that the cluster's CPU can be counted. */
    static void findPostmaster(Statement s) throws SQLException {
        long[] backend = procStat(Long.parseLong(one(s, "SELECT pg_backend_pid()")));
        postmasterPid = backend == null ? -1 : backend[0];
    }

    /**
     * Prints the server version and the settings that make a commit durable (then the settings named in `more`), and
     * refuses to go on unless fsync and synchronous_commit are both on: a comparison with raw inserts means nothing
     * otherwise. Returns the server version.
     */
    static String requireDurableCommits(Statement s, String... more) throws SQLException {
        String version = one(s, "SHOW server_version");
        String fsync = one(s, "SHOW fsync");
        String syncCommit = one(s, "SHOW synchronous_commit");
        StringBuilder line = new StringBuilder(String.format("PostgreSQL %s: fsync=%s synchronous_commit=%s "
                + "wal_sync_method=%s commit_delay=%s", version, fsync, syncCommit, one(s, "SHOW wal_sync_method"),
                one(s, "SHOW commit_delay")));
        for (String setting : more) line.append(' ').append(setting).append('=').append(one(s, "SHOW " + setting));
        System.out.println(line);
        if (!fsync.equals("on") || !syncCommit.equals("on")) {
            die("fsync and synchronous_commit must both be 'on' for a durable comparison");
        }
        return version;
    }

    /** Drops a benchmark's scratch table; a failure is reported, not thrown (it runs in finally blocks). */
    static void dropQuietly(String table) {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + table);
        } catch (SQLException e) {
            System.err.println("could not drop " + table + ": " + e.getMessage());
        }
    }

    /**
     * Projections run asynchronously (Axon tracking processors), so a platform window leaves work behind. Waits until
     * every processor's token has reached the event log's head as of now, so that this backlog does not run during the
     * next phase; returns the seconds it took (-1 when the tokens could not be read or it took over 120 s).
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

    // ------------------------------------------------------------------------------------------------------------
    // Measurement window and CPU accounting from /proc (everything runs on this machine): the server JVM (pid from
    // bench/run), every process of the PostgreSQL cluster (the postmaster and its children), this load generator and
    // the whole machine; plus PostgreSQL's commits and WAL syncs when a program sets `monitor`. On a shared 2-core
    // machine throughput moves with whatever else runs; CPU per operation does not.
    // ------------------------------------------------------------------------------------------------------------

    static long serverPid = -1;
    static long postmasterPid = -1;
    /**
     * A connection for pg_stat_database / pg_stat_wal (null: commits and WAL syncs stay NaN). The statistics are
     * flushed by backends about once a second, so these counts are close, not exact.
     */
    static Connection monitor;
    static final double TICKS = 100.0;                        // USER_HZ on Linux

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

    /** CPU seconds used in a window, and its wall-clock length; commits and WAL syncs are NaN without a monitor. */
    record Cpu(double server, double postgres, double client, double machineBusy, double wall, double commits,
               double walSyncs) {
        /** Busy CPU of every other process; NaN when the server's or PostgreSQL's CPU is unknown. */
        double others() { return Math.max(0, machineBusy - server - postgres - client); }

        /** As others(), counting an unknown server or PostgreSQL CPU as 0. */
        double othersUnknownAsZero() { return Math.max(0, machineBusy - nz(server) - nz(postgres) - client); }
    }

    static double nz(double v) { return Double.isNaN(v) ? 0 : v; }

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
            synchronized (BenchSupport.class) {                // one monitor connection, several meters
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

        /** Backends that started inside the window count in full; ones that exited inside it are lost (rare). */
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

    static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("unknown cpu");
        } catch (IOException e) {
            return "unknown cpu";
        }
    }

    /** The summary's "machine:" and "code:" lines (code: what bench/run says the server was built from). */
    static void printMachine(String pgVersion) {
        System.out.printf("machine: %d cpus (%s), %s %s, java %s (%s), PostgreSQL %s%n",
                Runtime.getRuntime().availableProcessors(), cpuModel(), System.getProperty("os.name"),
                System.getProperty("os.arch"), System.getProperty("java.runtime.version"),
                System.getProperty("java.vm.name"), pgVersion);
        System.out.println("code: " + env("CELAEST_BENCH_CODE", "unknown"));
    }

    // ------------------------------------------------------------------------------------------------------------
    // Closed-loop load: every client its own thread and connection, sending its next request as soon as the last one
    // is answered. A request counts when it starts and ends inside the window's measured part.
    // ------------------------------------------------------------------------------------------------------------

    /** Failures printed per phase: enough to see what went wrong, not a flood. */
    static final int MAX_ERROR_SAMPLES = 5;

    /**
     * What one load window produced. rows: what the counted requests wrote (HTTP: one per request); latencies:
     * sorted; measuredErrors: failures in the measured window; allErrors: warm-up included; tooMany: 429 answers in
     * the measured window; gaveUp: the phase stopped early because too many requests failed.
     */
    record Load(long rows, long[] latenciesNanos, long measuredErrors, long allErrors, long tooMany, boolean gaveUp,
                Cpu cpu) {
        /** The errors a phase reports: those in the measured window, or all of them once it gave up. */
        long errors() { return gaveUp ? allErrors : measuredErrors; }

        /** As a phase's result; seconds: the nominal measured window. */
        Result result(double seconds) { return new Result(rows, errors(), tooMany, seconds, latenciesNanos, cpu); }
    }

    /** What one measured window produced; latenciesNanos per request (a raw batch: per statement). */
    record Result(long ops, long errors, long tooMany, double seconds, long[] latenciesNanos, Cpu cpu) {
        double perSecond() { return ops / seconds; }

        double pMillis(double p) { return percentile(latenciesNanos, p) / 1e6; }
    }

    /** Each round's ops/s, as "1234/1250/1198". */
    static String rates(List<Result> results) {
        StringBuilder b = new StringBuilder();
        for (Result r : results) b.append(b.length() == 0 ? "" : "/").append(Math.round(r.perSecond()));
        return b.toString();
    }

    /** Runs body(client, its latency list) in one thread per client and waits for all; returns the lists. */
    static List<LongList> runClients(int clients, String threadName, ClientBody body) throws InterruptedException {
        List<LongList> latencies = new ArrayList<>();
        CountDownLatch done = new CountDownLatch(clients);
        for (int t = 0; t < clients; t++) {
            LongList lat = new LongList();
            latencies.add(lat);
            int client = t;
            new Thread(() -> {
                try {
                    body.run(client, lat);
                } finally {
                    done.countDown();
                }
            }, threadName + "-client-" + t).start();
        }
        done.await();
        return latencies;
    }

    /** A client thread's work; it handles its own failures. */
    interface ClientBody {
        void run(int client, LongList latencies);
    }

    /** One HTTP client's plan: its next request, and whether an answer counts (it may advance the client's state). */
    interface HttpPlan {
        /** {path, JSON body} of the next POST. */
        String[] next();

        /** Whether the answer counts as a success; status -1 when the request failed (body: the exception). */
        boolean ok(int status, String body);
    }

    /**
     * POSTs from `clients` threads until the window is over or `abortAfter` requests failed (the server is clearly
     * not healthy then). A client that dies adds abortAfter errors, so that the phase stops. errorPrefix starts each
     * printed failure, threadName the client threads' names.
     */
    static Load httpLoad(Window w, int clients, String threadName, String errorPrefix, int abortAfter,
                         IntFunction<Poster> posters, IntFunction<HttpPlan> plans) throws InterruptedException {
        AtomicLong errors = new AtomicLong();
        AtomicLong measuredErrors = new AtomicLong();
        AtomicLong measuredTooMany = new AtomicLong();
        ConcurrentLinkedQueue<String> errorSamples = new ConcurrentLinkedQueue<>();
        List<LongList> latencies = runClients(clients, threadName, (client, lat) -> {
            try {
                HttpPlan plan = plans.apply(client);
                Poster http = posters.apply(client);
                while (!w.over() && errors.get() < abortAfter) {
                    String[] request = plan.next();
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
                    if (plan.ok(status, body)) {
                        if (measured) lat.add(end - start);
                    } else {
                        errors.incrementAndGet();
                        if (measured) measuredErrors.incrementAndGet();
                        if (measured && status == 429) measuredTooMany.incrementAndGet();
                        if (errorSamples.size() < MAX_ERROR_SAMPLES) {
                            errorSamples.add("POST " + request[0] + " -> " + status + ": " + abbreviate(body));
                        }
                        if (status == -1) sleep(100);        // connection trouble: do not spin
                    }
                }
                http.close();
            } catch (Throwable e) {
                e.printStackTrace();
                errorSamples.add(Thread.currentThread().getName() + " died: " + e);
                errors.addAndGet(abortAfter);
            }
        });
        for (String sample : errorSamples) System.out.println(errorPrefix + sample);
        long[] all = merge(latencies);
        return new Load(all.length, all, measuredErrors.get(), errors.get(), measuredTooMany.get(),
                errors.get() >= abortAfter, w.cpu());
    }

    // ------------------------------------------------------------------------------------------------------------
    // Closed-loop load on non-blocking connections: httpLoad's semantics, but every client's connection is served by
    // one selector thread (or a few) instead of a blocking thread of its own. On a 2-core machine shared with the
    // server and PostgreSQL, 64 runnable client threads compete with the server for the CPU and the scheduler; one
    // thread multiplexing 64 connections costs less CPU per request and far fewer context switches.
    // ------------------------------------------------------------------------------------------------------------

    /**
     * As httpLoad (same plans, window, error counting, abortAfter and Load), with POSTs of JSON over `clients`
     * non-blocking HTTP/1.1 keep-alive connections to baseUrl, spread over `selectorThreads` threads (client c on
     * thread c % selectorThreads). Client c's connection is bound to locals.apply(c) (locals or its answer null: any
     * address); bearer may be null (no Authorization header). Each connection has exactly one request in flight. A
     * failed request (status -1: connect, I/O, protocol error or a 30 s timeout) closes its connection, and that
     * client reconnects after 100 ms while the others go on; an answer with Connection: close reconnects at once.
     * Plans are built in the calling thread, so an exception there (an Abort) reaches the caller.
     */
    static Load httpLoadNio(Window w, int clients, int selectorThreads, String threadName, String errorPrefix,
                            int abortAfter, String bearer, IntFunction<InetAddress> locals,
                            IntFunction<HttpPlan> plans) throws InterruptedException {
        if (selectorThreads < 1 || selectorThreads > clients) {
            throw new IllegalArgumentException("selector threads must be 1.." + clients + ": " + selectorThreads);
        }
        URI uri = URI.create(baseUrl);
        String host = uri.getHost();
        int port = uri.getPort() == -1 ? 80 : uri.getPort();
        String fixedHeaders = " HTTP/1.1\r\nHost: " + host + ":" + port
                + (bearer == null ? "" : "\r\nAuthorization: Bearer " + bearer)
                + "\r\nAccept: application/json\r\nContent-Type: application/json\r\nContent-Length: ";
        NioHttpLoad load = new NioHttpLoad(w, abortAfter);
        List<List<NioHttpLoad.Client>> groups = new ArrayList<>();
        for (int t = 0; t < selectorThreads; t++) groups.add(new ArrayList<>());
        for (int c = 0; c < clients; c++) {
            InetAddress local = locals == null ? null : locals.apply(c);
            // IPv4 loopback explicitly when bound: a socket bound to 127.0.x.y cannot reach ::1 (as LeanHttp).
            InetSocketAddress remote = new InetSocketAddress(
                    local != null && host.equals("localhost") ? "127.0.0.1" : host, port);
            groups.get(c % selectorThreads).add(new NioHttpLoad.Client(plans.apply(c), local, remote, fixedHeaders));
        }
        List<NioHttpLoad.Loop> loops = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < selectorThreads; t++) {
            NioHttpLoad.Loop loop = load.new Loop(groups.get(t).toArray(new NioHttpLoad.Client[0]));
            loops.add(loop);
            threads.add(new Thread(loop, threadName + "-selector-" + t));
        }
        for (Thread t : threads) t.start();
        for (Thread t : threads) t.join();
        for (String sample : load.errorSamples) System.out.println(errorPrefix + sample);
        long[] all = merge(loops.stream().map(l -> l.latencies).toList());
        return new Load(all.length, all, load.measuredErrors.get(), load.errors.get(), load.measuredTooMany.get(),
                load.errors.get() >= abortAfter, w.cpu());
    }

    /** httpLoadNio's state: the counters its selector threads share, the threads' loops and the connections. */
    static final class NioHttpLoad {
        static final long CONNECT_TIMEOUT_NANOS = 5_000_000_000L;
        static final long REQUEST_TIMEOUT_NANOS = 30_000_000_000L;   // as LeanHttp's read timeout
        static final long RECONNECT_DELAY_NANOS = 100_000_000L;      // after a failure, as httpLoad's sleep
        static final long TIMER_TICK_NANOS = 100_000_000L;           // timeouts checked this often
        static final int MAX_RESPONSE_BYTES = 16 << 20;
        static final byte[] CRLF2 = {'\r', '\n', '\r', '\n'};

        final Window w;
        final int abortAfter;
        final AtomicLong errors = new AtomicLong();
        final AtomicLong measuredErrors = new AtomicLong();
        final AtomicLong measuredTooMany = new AtomicLong();
        final ConcurrentLinkedQueue<String> errorSamples = new ConcurrentLinkedQueue<>();

        NioHttpLoad(Window w, int abortAfter) {
            this.w = w;
            this.abortAfter = abortAfter;
        }

        boolean stopping() { return w.over() || errors.get() >= abortAfter; }

        /** One client: its connection, reused buffers, the request in flight and the parse state of its answer. */
        static final class Client {
            final HttpPlan plan;
            final InetAddress local;
            final InetSocketAddress remote;
            final String fixedHeaders;
            String headPath;                                   // the path `head` was encoded for
            byte[] head;                                       // "POST <path> HTTP/1.1 ... Content-Length: "
            ByteBuffer out = ByteBuffer.allocate(1024);        // the request being written
            ByteBuffer in = ByteBuffer.allocate(8 * 1024);     // the answer read so far, from position 0
            SocketChannel channel;
            SelectionKey key;
            int interest;
            boolean inFlight;
            String path;
            long start, deadline, resumeAt;                   // resumeAt 0: no reconnect pending
            // Parse state of the answer in `in`.
            int scanned, bodyStart, status, bodyLength;
            long contentLength;
            boolean chunked, closeAfter, untilClose;

            Client(HttpPlan plan, InetAddress local, InetSocketAddress remote, String fixedHeaders) {
                this.plan = plan;
                this.local = local;
                this.remote = remote;
                this.fixedHeaders = fixedHeaders;
            }

            /** Puts the request into `out`, ready to write; only the body and its length are encoded per request. */
            void encode(String path, String json) {
                if (head == null || !path.equals(headPath)) {
                    head = ("POST " + path + fixedHeaders).getBytes(StandardCharsets.ISO_8859_1);
                    headPath = path;
                }
                if (json == null) json = "";
                int n = json.length();
                boolean ascii = true;
                for (int i = 0; i < n && ascii; i++) ascii = json.charAt(i) < 0x80;
                byte[] utf8 = ascii ? null : json.getBytes(StandardCharsets.UTF_8);
                int length = ascii ? n : utf8.length;
                int size = head.length + 10 + CRLF2.length + length;
                if (out.capacity() < size) out = ByteBuffer.allocate(Math.max(size, out.capacity() * 2));
                byte[] o = out.array();
                System.arraycopy(head, 0, o, 0, head.length);
                int p = head.length;
                int digits = 1;
                for (int v = length; v >= 10; v /= 10) digits++;
                for (int v = length, i = p + digits - 1; i >= p; i--, v /= 10) o[i] = (byte) ('0' + v % 10);
                p += digits;
                System.arraycopy(CRLF2, 0, o, p, CRLF2.length);
                p += CRLF2.length;
                if (ascii) {
                    for (int i = 0; i < n; i++) o[p++] = (byte) json.charAt(i);
                } else {
                    System.arraycopy(utf8, 0, o, p, length);
                    p += length;
                }
                out.clear().limit(p);
            }

            void resetAnswer() {
                in.clear();
                scanned = 0;
                bodyStart = -1;
                status = 0;
                contentLength = -1;
                chunked = closeAfter = untilClose = false;
            }

            /**
             * Whether `in` holds the whole answer (then status, bodyStart and bodyLength describe it; a chunked body
             * is joined in place). Content-Length, chunked and close-delimited bodies (complete only at end of stream).
             */
            boolean complete() throws IOException {
                byte[] a = in.array();
                int limit = in.position();
                if (bodyStart < 0) {
                    int end = indexOf(a, Math.max(0, scanned - 3), limit, CRLF2);
                    if (end < 0) {
                        scanned = limit;
                        if (limit > 64 * 1024) throw new IOException("response head over 64 KiB");
                        return false;
                    }
                    parseHead(a, end);
                    bodyStart = end + CRLF2.length;
                }
                if (chunked) {
                    int end = chunks(a, bodyStart, limit, false);
                    if (end < 0) return false;
                    if (end < limit) closeAfter = true;        // bytes after the answer: do not reuse the connection
                    chunks(a, bodyStart, limit, true);
                    return true;
                }
                if (untilClose) return false;
                if (limit - bodyStart < contentLength) return false;
                if (limit - bodyStart > contentLength) closeAfter = true;
                bodyLength = (int) contentLength;
                return true;
            }

            /** The body of an answer delimited by the end of the stream, which has come. */
            void endOfStream() {
                bodyLength = in.position() - bodyStart;
            }

            void parseHead(byte[] a, int end) throws IOException {
                int eol = indexOf(a, 0, end + 2, CRLF2, 2);
                if (eol < 12 || !startsWith(a, 0, "HTTP/1.") || a[8] != ' ') {
                    throw new IOException("bad status line: " + new String(a, 0, Math.max(0, Math.min(eol, 200)),
                            StandardCharsets.ISO_8859_1));
                }
                status = 0;
                for (int i = 9; i < 12; i++) {
                    if (a[i] < '0' || a[i] > '9') throw new IOException("bad status code");
                    status = status * 10 + a[i] - '0';
                }
                for (int line = eol + 2; line < end; ) {
                    int next = indexOf(a, line, end + 2, CRLF2, 2);
                    int colon = line;
                    while (colon < next && a[colon] != ':') colon++;
                    if (colon < next) {
                        int v = colon + 1, ve = next;
                        while (v < ve && (a[v] == ' ' || a[v] == '\t')) v++;
                        while (ve > v && (a[ve - 1] == ' ' || a[ve - 1] == '\t')) ve--;
                        if (nameIs(a, line, colon, "content-length")) {
                            if (v == ve) throw new IOException("empty Content-Length");
                            long length = 0;
                            for (int i = v; i < ve; i++) {
                                if (a[i] < '0' || a[i] > '9' || length > MAX_RESPONSE_BYTES) {
                                    throw new IOException("bad Content-Length");
                                }
                                length = length * 10 + a[i] - '0';
                            }
                            contentLength = length;
                        } else if (nameIs(a, line, colon, "transfer-encoding")) {
                            chunked = new String(a, v, ve - v, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT)
                                    .contains("chunked");
                        } else if (nameIs(a, line, colon, "connection")) {
                            if (ve - v == 5 && regionIs(a, v, "close")) closeAfter = true;
                        }
                    }
                    line = next + 2;
                }
                if (status < 200) throw new IOException("unexpected interim answer " + status);
                if (status == 204 || status == 304) {
                    contentLength = 0;
                    chunked = false;
                } else if (!chunked && contentLength < 0) {
                    untilClose = closeAfter = true;            // body delimited by connection close
                }
                if (contentLength > MAX_RESPONSE_BYTES) throw new IOException("response over 16 MiB");
            }

            /**
             * Walks a chunked body from `from`: returns the end of the chunked message (trailers included), or -1 when
             * it has not fully arrived. With join, moves the chunks' data together at `from` and sets bodyLength.
             */
            int chunks(byte[] a, int from, int limit, boolean join) throws IOException {
                int p = from, joined = from;
                while (true) {
                    int eol = indexOf(a, p, limit, CRLF2, 2);
                    if (eol < 0) return -1;
                    long size = 0;
                    int i = p;
                    for (; i < eol && a[i] != ';' && a[i] != ' '; i++) {
                        int d = Character.digit(a[i], 16);
                        if (d < 0 || size > MAX_RESPONSE_BYTES) throw new IOException("bad chunk size");
                        size = size * 16 + d;
                    }
                    if (i == p) throw new IOException("bad chunk size");
                    p = eol + 2;
                    if (size == 0) {
                        while (true) {                         // trailers, up to an empty line
                            int t = indexOf(a, p, limit, CRLF2, 2);
                            if (t < 0) return -1;
                            boolean empty = t == p;
                            p = t + 2;
                            if (empty) break;
                        }
                        if (join) bodyLength = joined - from;
                        return p;
                    }
                    if (limit - p < size + 2) return -1;
                    int s = (int) size;
                    if (a[p + s] != '\r' || a[p + s + 1] != '\n') throw new IOException("bad chunk end");
                    if (join) {
                        System.arraycopy(a, p, a, joined, s);
                        joined += s;
                    }
                    p += s + 2;
                }
            }
        }

        /** One selector thread's clients: all their I/O, parsing, timeouts and reconnects. */
        final class Loop implements Runnable {
            final Client[] connections;
            final LongList latencies = new LongList(1 << 16);
            final Consumer<SelectionKey> onReady = this::ready;
            Selector selector;
            int inFlight;
            long nextTimers;                                   // when timeouts and reconnects are due for a look

            Loop(Client[] connections) {
                this.connections = connections;
            }

            @Override
            public void run() {
                try (Selector s = Selector.open()) {
                    selector = s;
                    nextTimers = System.nanoTime() + TIMER_TICK_NANOS;
                    for (Client c : connections) {
                        if (!stopping()) begin(c);
                    }
                    while (inFlight > 0 || !stopping()) {
                        long now = System.nanoTime();
                        if (now - nextTimers >= 0) timers(now);
                        long wait = Math.max(1, (nextTimers - now + 999_999) / 1_000_000);
                        selector.select(onReady, wait);
                    }
                } catch (Throwable e) {
                    e.printStackTrace();
                    errorSamples.add(Thread.currentThread().getName() + " died: " + e);
                    errors.addAndGet(abortAfter);
                } finally {
                    for (Client c : connections) close(c);
                }
            }

            /** Fails requests past their deadline and starts the reconnects that are due. */
            void timers(long now) {
                nextTimers = now + TIMER_TICK_NANOS;
                for (Client c : connections) {
                    if (c.inFlight && now - c.deadline >= 0) {
                        fail(c, c.key != null && c.interest == SelectionKey.OP_CONNECT
                                ? "java.net.SocketTimeoutException: connect timed out"
                                : "java.net.SocketTimeoutException: Read timed out");
                    } else if (c.resumeAt != 0) {
                        if (now - c.resumeAt >= 0) {
                            c.resumeAt = 0;
                            if (!stopping()) begin(c);
                        } else if (c.resumeAt - nextTimers < 0) {
                            nextTimers = c.resumeAt;
                        }
                    }
                }
            }

            /** The client's next request: encoded, then written at once (connecting first when needed). */
            void begin(Client c) {
                String[] request = c.plan.next();
                c.path = request[0];
                c.start = System.nanoTime();
                c.deadline = c.start + REQUEST_TIMEOUT_NANOS;
                c.inFlight = true;
                inFlight++;
                c.encode(request[0], request[1]);
                c.resetAnswer();
                try {
                    if (c.channel != null) {
                        write(c);
                        return;
                    }
                    SocketChannel channel = SocketChannel.open();
                    c.channel = channel;
                    channel.configureBlocking(false);
                    channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    if (c.local != null) channel.bind(new InetSocketAddress(c.local, 0));
                    if (channel.connect(c.remote)) {
                        c.key = channel.register(selector, c.interest = SelectionKey.OP_READ, c);
                        write(c);
                    } else {
                        c.key = channel.register(selector, c.interest = SelectionKey.OP_CONNECT, c);
                        c.deadline = Math.min(c.deadline, System.nanoTime() + CONNECT_TIMEOUT_NANOS);
                    }
                } catch (IOException | RuntimeException e) {
                    fail(c, e.toString());
                }
            }

            /** A selected key: connected, writable or readable. */
            void ready(SelectionKey key) {
                Client c = (Client) key.attachment();
                if (c.key != key || !key.isValid()) return;    // closed since
                try {
                    int ops = key.readyOps();
                    if ((ops & SelectionKey.OP_CONNECT) != 0) {
                        if (c.channel.finishConnect()) {
                            c.deadline = c.start + REQUEST_TIMEOUT_NANOS;
                            write(c);
                        }
                    } else if ((ops & SelectionKey.OP_WRITE) != 0) {
                        write(c);
                    } else if ((ops & SelectionKey.OP_READ) != 0) {
                        read(c);
                    }
                } catch (IOException e) {
                    if (c.inFlight) fail(c, e.toString());
                    else close(c);
                }
            }

            void write(Client c) throws IOException {
                c.channel.write(c.out);
                interest(c, c.out.hasRemaining() ? SelectionKey.OP_WRITE : SelectionKey.OP_READ);
            }

            void interest(Client c, int ops) {
                if (c.interest != ops) c.key.interestOps(c.interest = ops);
            }

            void read(Client c) throws IOException {
                if (!c.inFlight) {                             // idle (the window is over): the server closed it
                    close(c);
                    return;
                }
                if (!c.in.hasRemaining()) {
                    if (c.in.capacity() >= MAX_RESPONSE_BYTES) throw new IOException("response over 16 MiB");
                    c.in = ByteBuffer.allocate(c.in.capacity() * 2).put(c.in.flip());
                }
                int n = c.channel.read(c.in);
                if (n < 0) {
                    if (c.untilClose && c.bodyStart >= 0) {
                        c.endOfStream();
                        answered(c);
                    } else {
                        fail(c, "java.io.IOException: connection closed by server");
                    }
                } else if (n > 0 && c.complete()) {
                    answered(c);
                }
            }

            /** A complete answer in c.in. */
            void answered(Client c) {
                String body = new String(c.in.array(), c.bodyStart, c.bodyLength, StandardCharsets.UTF_8);
                boolean close = c.closeAfter;
                finish(c, c.status, body);
                if (close) close(c);                           // the next request reconnects
                if (!stopping()) begin(c);
            }

            /** The request failed: its connection is closed and the client goes on after RECONNECT_DELAY_NANOS. */
            void fail(Client c, String error) {
                long end = finish(c, -1, error);
                close(c);
                c.resumeAt = end + RECONNECT_DELAY_NANOS;
                if (c.resumeAt - nextTimers < 0) nextTimers = c.resumeAt;
            }

            /** Counts a finished request as httpLoad does; returns its end time. */
            long finish(Client c, int status, String body) {
                long end = System.nanoTime();
                c.inFlight = false;
                inFlight--;
                boolean measured = w.measured(c.start, end);
                if (c.plan.ok(status, body)) {
                    if (measured) latencies.add(end - c.start);
                } else {
                    errors.incrementAndGet();
                    if (measured) measuredErrors.incrementAndGet();
                    if (measured && status == 429) measuredTooMany.incrementAndGet();
                    if (errorSamples.size() < MAX_ERROR_SAMPLES) {
                        errorSamples.add("POST " + c.path + " -> " + status + ": " + abbreviate(body));
                    }
                }
                return end;
            }

            void close(Client c) {
                if (c.channel == null) return;
                try {
                    c.channel.close();                         // cancels the key too
                } catch (IOException ignored) {
                }
                c.channel = null;
                c.key = null;
                c.interest = 0;
            }
        }

        /** The first index in a[from, to) where `pattern` (its first `length` bytes) starts, or -1. */
        static int indexOf(byte[] a, int from, int to, byte[] pattern, int length) {
            outer:
            for (int i = from; i <= to - length; i++) {
                for (int j = 0; j < length; j++) if (a[i + j] != pattern[j]) continue outer;
                return i;
            }
            return -1;
        }

        static int indexOf(byte[] a, int from, int to, byte[] pattern) {
            return indexOf(a, from, to, pattern, pattern.length);
        }

        static boolean startsWith(byte[] a, int from, String s) {
            for (int i = 0; i < s.length(); i++) if (a[from + i] != s.charAt(i)) return false;
            return true;
        }

        /** Whether a[from, from + s.length()) is s, ignoring ASCII case (s in lower case). */
        static boolean regionIs(byte[] a, int from, String s) {
            for (int i = 0; i < s.length(); i++) {
                int b = a[from + i];
                if (b >= 'A' && b <= 'Z') b += 'a' - 'A';
                if (b != s.charAt(i)) return false;
            }
            return true;
        }

        /** Whether the header name in a[from, colon) is `name` (lower case), ignoring case and trailing blanks. */
        static boolean nameIs(byte[] a, int from, int colon, String name) {
            while (colon > from && (a[colon - 1] == ' ' || a[colon - 1] == '\t')) colon--;
            return colon - from == name.length() && regionIs(a, from, name);
        }
    }

    /** One raw client's work on its own prepared statement. */
    interface RawWriter {
        /** Sets up the next statement, outside the timed part (default: nothing to do). */
        default void prepare(PreparedStatement statement) throws SQLException {
        }

        /** Runs the statement (timed; autocommit, so one durable commit) and returns the rows it wrote. */
        int write(PreparedStatement statement) throws SQLException;
    }

    /**
     * The raw baseline: `clients` threads, each with its own JDBC connection to url (autocommit on) and statement sql,
     * writing until the window (warm-up, then measured) is over. The window starts once the connections are open.
     */
    static Load rawLoad(String url, String sql, int clients, int warmupSeconds, int measuredSeconds,
                        IntFunction<RawWriter> writers) throws Exception {
        Connection[] connections = new Connection[clients];
        for (int t = 0; t < clients; t++) {
            connections[t] = DriverManager.getConnection(url, dbUser, dbPassword);
            connections[t].setAutoCommit(true);
        }
        Window w = new Window(warmupSeconds, measuredSeconds);
        AtomicLong errors = new AtomicLong();
        AtomicLong rows = new AtomicLong();
        ConcurrentLinkedQueue<String> errorSamples = new ConcurrentLinkedQueue<>();
        List<LongList> latencies = runClients(clients, "raw", (client, lat) -> {
            try (PreparedStatement statement = connections[client].prepareStatement(sql)) {
                RawWriter writer = writers.apply(client);
                while (!w.over()) {
                    writer.prepare(statement);
                    long start = System.nanoTime();
                    try {
                        int written = writer.write(statement);
                        long end = System.nanoTime();
                        if (w.measured(start, end)) {
                            lat.add(end - start);
                            rows.addAndGet(written);
                        }
                    } catch (SQLException e) {
                        long end = System.nanoTime();
                        if (w.measured(start, end)) errors.incrementAndGet();
                        if (errorSamples.size() < MAX_ERROR_SAMPLES) errorSamples.add(e.toString());
                        sleep(100);
                    }
                }
            } catch (SQLException e) {
                errorSamples.add(e.toString());
            }
        });
        // The window's last CPU snapshot first: a backend whose connection is closed leaves /proc, and its CPU with it.
        Cpu cpu = w.cpu();
        for (Connection c : connections) c.close();
        for (String sample : errorSamples) System.out.println("  raw error: " + sample);
        return new Load(rows.get(), merge(latencies), errors.get(), errors.get(), 0, false, cpu);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Statistics
    // ------------------------------------------------------------------------------------------------------------

    /** Median of all values (a NaN sorts last, so it counts as the largest). */
    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    /** Median of the values that are not NaN (AuditBench: a figure that could not be read is left out). */
    static double medianIgnoringNaN(double[] values) {
        return median(Arrays.stream(values).filter(x -> !Double.isNaN(x)).toArray());
    }

    /** The p-th percentile (nearest rank) of sorted values. */
    static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) return Double.NaN;
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    /** All clients' latencies in one sorted array. */
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

    /** A growable array of longs: one per client thread, so recording a latency needs no lock and no boxing. */
    static final class LongList {
        long[] values;
        int size;

        LongList() { this(1 << 14); }

        LongList(int capacity) { values = new long[capacity]; }

        void add(long v) {
            if (size == values.length) values = Arrays.copyOf(values, size * 2);
            values[size++] = v;
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // HTTP. A minimal HTTP/1.1 keep-alive client over a plain socket: on a 2-core machine the load generator shares
    // the CPU with the server and PostgreSQL, and java.net.http.HttpClient costs about 1 ms of CPU per request
    // (measured), several times this one.
    // ------------------------------------------------------------------------------------------------------------

    /** An answer; bytes and lines are counted only by LeanHttp.send (lines only for a counted, unbuffered body). */
    record Reply(int status, String body, long bytes, long lines) {
        Reply(int status, String body) { this(status, body, 0, 0); }
    }

    /** POSTs JSON and returns the answer: LeanHttp, or IdentityThroughput's java.net.http alternative. */
    interface Poster {
        Reply post(String path, String json) throws IOException;

        default void close() {
        }
    }

    /**
     * One keep-alive connection to baseUrl; reconnects when the server closes it. Handles Content-Length, chunked
     * and close-delimited bodies. Optionally bound to a local address (LicensingBench: one client IP per client).
     */
    static final class LeanHttp implements Poster, AutoCloseable {
        final String host;
        final InetSocketAddress remote;
        final String bearer;
        final InetAddress local;
        final int timeoutMillis;
        final int bufferBytes;
        final byte[] buffer;
        Socket socket;
        InputStream in;
        OutputStream out;

        /** For JSON requests: 30 s timeout, 16 KiB buffers; bearer may be null (no Authorization header). */
        LeanHttp(String bearer, InetAddress local) {
            this(bearer, local, 30_000, 16 * 1024);
        }

        LeanHttp(String bearer, InetAddress local, int timeoutMillis, int bufferBytes) {
            URI uri = URI.create(baseUrl);
            host = uri.getHost();
            int port = uri.getPort() == -1 ? 80 : uri.getPort();
            // IPv4 loopback explicitly when bound: a socket bound to 127.0.x.y cannot reach ::1, which "localhost" may mean.
            remote = new InetSocketAddress(local != null && host.equals("localhost") ? "127.0.0.1" : host, port);
            this.bearer = bearer;
            this.local = local;
            this.timeoutMillis = timeoutMillis;
            this.bufferBytes = bufferBytes;
            this.buffer = new byte[bufferBytes];
        }

        /** POST of a JSON body with this client's bearer; the answer's body is buffered. */
        @Override
        public Reply post(String path, String json) throws IOException {
            return send("POST", path, bearer, json, "application/json", false);
        }

        /** Any request, accepting any media type (AuditBench: JSON pages, CSV and JSON Lines exports). */
        Reply send(String method, String path, String key, String json, boolean countOnly) throws IOException {
            return send(method, path, key, json, "*/*", countOnly);
        }

        /**
         * Any request; json null sends no body. With countOnly a 200 body is not kept, only its bytes and newlines
         * counted (exports of hundreds of MB).
         */
        Reply send(String method, String path, String key, String json, String accept, boolean countOnly)
                throws IOException {
            if (socket == null) {
                socket = new Socket();
                socket.setTcpNoDelay(true);
                socket.setSoTimeout(timeoutMillis);
                if (local != null) socket.bind(new InetSocketAddress(local, 0));
                socket.connect(remote, 5_000);
                in = new BufferedInputStream(socket.getInputStream(), bufferBytes);
                out = new BufferedOutputStream(socket.getOutputStream(), 16 * 1024);
            }
            byte[] body = json == null ? new byte[0] : json.getBytes(StandardCharsets.UTF_8);
            StringBuilder head = new StringBuilder(256).append(method).append(' ').append(path)
                    .append(" HTTP/1.1\r\nHost: ").append(host).append(':').append(remote.getPort());
            if (key != null) head.append("\r\nAuthorization: Bearer ").append(key);
            head.append("\r\nAccept: ").append(accept);
            if (json != null) {
                head.append("\r\nContent-Type: application/json\r\nContent-Length: ").append(body.length);
            }
            head.append("\r\n\r\n");
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();

            String statusLine = line();
            String[] parts = statusLine.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) throw new IOException("bad status line: " + statusLine);
            int status = Integer.parseInt(parts[1]);
            long length = -1;
            boolean chunked = false, closeAfter = false;
            for (String h; !(h = line()).isEmpty(); ) {
                int colon = h.indexOf(':');
                if (colon < 0) continue;
                String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = h.substring(colon + 1).trim();
                switch (name) {
                    case "content-length" -> length = Long.parseLong(value);
                    case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                    case "connection" -> closeAfter = value.equalsIgnoreCase("close");
                    default -> { }
                }
            }
            if (status == 204 || status == 304 || status < 200 || method.equals("HEAD")) length = 0;   // no body
            boolean count = countOnly && status == 200;
            ByteArrayOutputStream received = count ? null : new ByteArrayOutputStream(512);
            long[] stats = new long[2];                        // bytes, newlines
            if (chunked) {
                for (long size; (size = Long.parseLong(line().split(";", 2)[0].trim(), 16)) > 0; ) {
                    copy(size, received, stats);
                    line();
                }
                while (!line().isEmpty()) { }                 // trailers
            } else if (length >= 0) {
                copy(length, received, stats);
            } else {
                copy(Long.MAX_VALUE, received, stats);         // body delimited by connection close
                closeAfter = true;
            }
            if (closeAfter) close();
            return new Reply(status, received == null ? "" : received.toString(StandardCharsets.UTF_8), stats[0], stats[1]);
        }

        /** Reads n body bytes into `into`, or only counts their newlines when `into` is null. */
        void copy(long n, ByteArrayOutputStream into, long[] stats) throws IOException {
            boolean untilClose = n == Long.MAX_VALUE;
            while (n > 0) {
                int r = in.read(buffer, 0, (int) Math.min(buffer.length, n));
                if (r < 0) {
                    if (untilClose) break;                     // body delimited by connection close: done
                    throw new IOException("connection closed mid-body");
                }
                n -= r;
                stats[0] += r;
                if (into != null) into.write(buffer, 0, r);
                else for (int i = 0; i < r; i++) if (buffer[i] == '\n') stats[1]++;
            }
        }

        String line() throws IOException {
            StringBuilder b = new StringBuilder(64);
            for (int c; (c = in.read()) != '\n'; ) {
                if (c == -1) throw new IOException("connection closed by server");
                if (c != '\r') b.append((char) c);
            }
            return b.toString();
        }

        @Override
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
}
