// Identity command throughput through the platform vs raw PostgreSQL durable single-row inserts.
//
// Run through `./celaest bench identity` (bench/run), or by hand (PG = the PostgreSQL JDBC jar, e.g.
// ~/.m2/repository/org/postgresql/postgresql/<v>/postgresql-<v>.jar; BenchSupport.java holds the shared parts):
//   javac -d /tmp/bench -cp $PG bench/BenchSupport.java bench/IdentityThroughput.java
//   java -cp /tmp/bench:$PG bench.IdentityThroughput \
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

package bench;

import static bench.BenchSupport.*;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.regex.Matcher;

public class IdentityThroughput {

    static int clients = 16;
    static int seconds = 20;
    static int warmup = 5;
    static int rounds = 3;
    static int usersPerOrg = 50;
    static boolean jdkHttp = false;
    static int initialWarmup = 30;

    static final int PAYLOAD_BYTES = 300;
    /** A phase gives up once this many commands failed: the server is clearly not healthy. */
    static final int ABORT_AFTER_ERRORS = 2000;
    static final String RAW_TABLE = "bench_raw_insert";
    static final String runId = newRunId();

    public static void main(String[] args) throws Exception {
        runProgram("IdentityThroughput", args, IdentityThroughput::run);
    }

    static void run(String[] args) throws Exception {
        parseArgs(args);
        readEnvironment();

        String pgVersion;
        try (Connection c = connect(); Statement s = c.createStatement()) {
            pgVersion = requireDurableCommits(s);
            findPostmaster(s);
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
            dropQuietly(RAW_TABLE);                            // also when a phase failed
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
        Load load = httpLoad(w, clients, "platform", "  error: ", ABORT_AFTER_ERRORS,
                client -> jdkHttp ? new JdkPoster() : new LeanHttp(adminKey, null),
                client -> new OrganizationsAndUsers(round, client));
        return load.result(seconds);
    }

    /** One client's commands: an enterprise organization, then --users-per-org users in it, then the next one. */
    static final class OrganizationsAndUsers implements HttpPlan {
        final int round, client;
        int orgSeq = 0;
        String orgId = null;
        int usersInOrg = 0;
        boolean creatingOrg;

        OrganizationsAndUsers(int round, int client) {
            this.round = round;
            this.client = client;
        }

        @Override
        public String[] next() {
            creatingOrg = orgId == null || usersInOrg >= usersPerOrg;
            if (creatingOrg) {
                String slug = "bench-" + runId + "-" + round + "-" + client + "-" + (orgSeq++);
                return new String[]{"/api/v1/organizations",
                        "{\"name\":\"Bench " + slug + "\",\"slug\":\"" + slug + "\",\"plan\":\"enterprise\"}"};
            }
            return new String[]{"/api/v1/organizations/" + orgId + "/users",
                    "{\"email\":\"user" + usersInOrg + "@bench.example\",\"name\":\"Bench User " + usersInOrg
                            + "\",\"role\":\"member\"}"};
        }

        @Override
        public boolean ok(int status, String body) {
            if (status == 201 && creatingOrg) {
                Matcher m = ID.matcher(body);
                if (!m.find()) throw new IllegalStateException("no id in " + body);
                orgId = m.group(1);
                usersInOrg = 0;
            } else if (creatingOrg) {
                orgId = null;                                   // try a fresh organization
            } else {
                usersInOrg++;                                   // the next email (a failed one is skipped)
            }
            return status == 201;
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // HTTP clients. The default is BenchSupport.LeanHttp, a minimal keep-alive client; --http jdk switches to
    // java.net.http (about 1 ms of CPU per request, several times the lean one, on the same 2 cores).
    // ------------------------------------------------------------------------------------------------------------

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

    // ------------------------------------------------------------------------------------------------------------
    // Raw phase: each client has its own connection, autocommit on (every insert its own durable commit).
    // ------------------------------------------------------------------------------------------------------------

    static Result rawPhase() throws Exception {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("TRUNCATE " + RAW_TABLE);
        }
        Load load = rawLoad(dbUrl, "INSERT INTO " + RAW_TABLE + " (payload) VALUES (?)", clients, warmup, seconds,
                client -> new RawWriter() {
                    final Random random = new Random();
                    final byte[] payload = new byte[PAYLOAD_BYTES];

                    @Override
                    public void prepare(PreparedStatement insert) throws SQLException {
                        random.nextBytes(payload);                  // not part of the timed insert
                        insert.setBytes(1, payload);
                    }

                    @Override
                    public int write(PreparedStatement insert) throws SQLException {
                        insert.executeUpdate();
                        return 1;
                    }
                });
        return load.result(seconds);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Output
    // ------------------------------------------------------------------------------------------------------------

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
        printMachine(pgVersion);
        System.out.printf("load: %d clients, %ds initial warm-up, %ds warm-up + %ds measured per phase, %d rounds, "
                + "%d users per org, %s HTTP client%n", clients, initialWarmup, warmup, seconds, rounds, usersPerOrg,
                jdkHttp ? "java.net.http" : "lean");
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

    static void parseArgs(String[] args) {
        for (int i = 0; i < args.length; i += 2) {
            String a = args[i];
            String value = optionValue(args, i);
            if (a.equals("--http")) {
                if (!value.equals("jdk") && !value.equals("lean")) die("--http takes jdk or lean");
                jdkHttp = value.equals("jdk");
                continue;
            }
            int v = intValue(a, value);
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
}
