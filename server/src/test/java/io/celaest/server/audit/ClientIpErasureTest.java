package io.celaest.server.audit;

import com.fasterxml.jackson.databind.JsonNode;
import io.celaest.server.support.Api;
import io.celaest.server.support.Fixtures;
import io.celaest.server.support.StoredEvents;
import io.celaest.server.support.LoopbackClient;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The client IP in every event's metadata is personal data of the request's actor: sealed under the actor's key
 * in the event log, shown in clear by the audit list, export and history, and erased with the actor. Each
 * request comes from its own loopback address, so the server sees a distinct client IP per caller.
 */
class ClientIpErasureTest extends AuditTestSupport {

    private static final String ERASED = "[erased]";
    private static final String IP_ONE = "127.0.0.41";
    private static final String IP_TWO = "127.0.0.42";
    private static final String IP_ANONYMOUS = "127.0.0.43";

    private record Key(String id, String secret) {
    }

    @Test
    void clientIpsAreSealedUnderTheActorsKeyShownInClearAndErasedWithTheApiKey() throws Exception {
        Instant start = Instant.now();
        Fixtures.Tenant tenant = tenant();
        Fixtures.Tenant other = tenant();
        Key one = key(tenant, "one");
        Key two = key(tenant, "two");
        String email = "ip-" + UUID.randomUUID() + "@example.com";

        // key one: a user added, a duplicate refused by the aggregate (409), a path it lacks the scope for (403)
        String added = correlation();
        assertThat(post(IP_ONE, one, users(tenant), user(email), added).status()).isEqualTo(201);
        String rejected = correlation();
        assertThat(post(IP_ONE, one, users(tenant), user(email), rejected).status()).isEqualTo(409);
        String denied = correlation();
        assertThat(post(IP_ONE, one, apiKeys(tenant), "{\"name\":\"x\",\"scopes\":[\"users:read\"]}", denied).status())
                .isEqualTo(403);
        // key two: a user added; nobody: a bad token
        String addedByTwo = correlation();
        assertThat(post(IP_TWO, two, users(tenant), user("ip-" + UUID.randomUUID() + "@example.com"), addedByTwo)
                .status()).isEqualTo(201);
        String anonymous = correlation();
        assertThat(post(IP_ANONYMOUS, new Key(null, "cel_not_a_key"), users(tenant), user(email), anonymous).status())
                .isEqualTo(401);

        Map<String, String> expected = Map.of(added, IP_ONE, rejected, IP_ONE, denied, IP_ONE, addedByTwo, IP_TWO,
                anonymous, IP_ANONYMOUS);
        Map<String, String> actors = Map.of(added, one.id(), rejected, one.id(), denied, one.id(),
                addedByTwo, two.id(), anonymous, subjectNamed("anonymous"));
        // the audit list and the export show the IPs in clear
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(listedIps(tenant, start)).containsAllEntriesOf(expected));
        assertThat(exportedIps(tenant)).containsAllEntriesOf(Map.of(added, IP_ONE, rejected, IP_ONE, denied, IP_ONE,
                addedByTwo, IP_TWO));
        assertThat(csvExport(tenant)).contains(IP_ONE).contains(IP_TWO);
        // and so does the aggregate's history
        assertThat(historyIps(tenant)).containsEntry(added, IP_ONE).containsEntry(addedByTwo, IP_TWO);

        // the event log holds none of them in clear: each is sealed under its actor's key
        for (String ip : List.of(IP_ONE, IP_TWO, IP_ANONYMOUS)) {
            assertThat(StoredEvents.containing(database, ip)).as(ip).isZero();
        }
        for (Map.Entry<String, String> request : actors.entrySet()) {
            List<JsonNode> metadata = rawMetadata(request.getKey());
            assertThat(metadata).as(request.getKey()).isNotEmpty().allSatisfy(meta -> {
                assertThat(meta.path("clientIp").path("personalDataOf").asText()).isEqualTo(request.getValue());
                assertThat(meta.path("clientIp").path("ciphertext").asText()).isNotBlank();
            });
        }
        List<byte[]> storedBefore = StoredEvents.bytesOf(database, tenant.id());

        // another organization's admin cannot erase this organization's key, by either path
        assertThat(as(other.key(), "POST", apiKeys(tenant) + "/" + one.id() + "/erase", null).status()).isEqualTo(404);
        assertThat(as(other.key(), "POST", "/api/v1/organizations/" + other.id() + "/api-keys/" + one.id() + "/erase",
                null).status()).isEqualTo(404);
        assertThat(post(IP_ONE, one, users(tenant), user("still-" + UUID.randomUUID() + "@example.com"), correlation())
                .status()).isEqualTo(201);

        // erasure: revokes the active key and destroys its key; once only
        assertThat(as(tenant.key(), "POST", apiKeys(tenant) + "/" + one.id() + "/erase", null).status()).isEqualTo(204);
        JsonNode again = as(tenant.key(), "POST", apiKeys(tenant) + "/" + one.id() + "/erase", null).json();
        assertThat(again.path("status").asInt()).isEqualTo(409);
        assertThat(again.path("code").asText()).isEqualTo("ALREADY_ERASED");
        assertThat(post(IP_ONE, one, users(tenant), user("late-" + UUID.randomUUID() + "@example.com"), correlation())
                .status()).isEqualTo(401);
        awaitEntry(tenant.key(), "organizationId=" + tenant.id() + "&action=erase&resourceType=api_key",
                entry -> entry.path("resourceId").asText().equals(one.id()));

        Map<String, String> erased = new HashMap<>(expected);
        List.of(added, rejected, denied).forEach(correlation -> erased.put(correlation, ERASED));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(listedIps(tenant, start)).containsAllEntriesOf(erased));
        assertThat(exportedIps(tenant)).containsAllEntriesOf(Map.of(added, ERASED, rejected, ERASED, denied, ERASED,
                addedByTwo, IP_TWO));
        assertThat(csvExport(tenant)).doesNotContain(IP_ONE).contains(IP_TWO).contains(ERASED);
        assertThat(historyIps(tenant)).containsEntry(added, ERASED).containsEntry(addedByTwo, IP_TWO);

        // the stored events did not change by a byte, so the hash chain still verifies
        assertThat(StoredEvents.bytesOf(database, tenant.id()).subList(0, storedBefore.size())).containsExactlyElementsOf(storedBefore);
        long from = firstEventOf(tenant.id());
        long head = headOfLog();
        await().atMost(Duration.ofSeconds(30)).until(() -> verify(from, head).path("chainHead").asLong() >= head);
        JsonNode verification = verify(from, head);
        assertThat(verification.path("verified").asBoolean()).as(verification.toString()).isTrue();

        // a replay rebuilds the audit log from the event log: the erased IPs stay erased, the others are intact
        expect(asAdmin("POST", "/api/v1/admin/processors/audit_logs/replay", null), 202);
        await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> {
            JsonNode status = expect(asAdmin("GET", "/api/v1/admin/processors/audit_logs", null), 200);
            assertThat(status.path("replaying").asBoolean()).as(status.toString()).isFalse();
            assertThat(status.path("lag").asLong()).as(status.toString()).isZero();
        });
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(listedIps(tenant, start)).containsAllEntriesOf(erased));
    }

    // --- requests ---

    private Key key(Fixtures.Tenant tenant, String name) {
        JsonNode created = expect(as(tenant.key(), "POST", apiKeys(tenant),
                map("name", name, "scopes", List.of("users:read", "users:write"))), 201);
        return new Key(created.path("id").asText(), created.path("key").asText());
    }

    private LoopbackClient.Response post(String fromAddress, Key key, String path, String json, String correlation) {
        return LoopbackClient.post(fromAddress, port, path, json, "Authorization", "Bearer " + key.secret(),
                "X-Correlation-Id", correlation);
    }

    private static String user(String email) {
        return "{\"email\":\"" + email + "\",\"name\":\"Ip Tester\",\"role\":\"member\"}";
    }

    private static String correlation() {
        return "ip-" + UUID.randomUUID();
    }

    private static String users(Fixtures.Tenant tenant) {
        return "/api/v1/organizations/" + tenant.id() + "/users";
    }

    private static String apiKeys(Fixtures.Tenant tenant) {
        return "/api/v1/organizations/" + tenant.id() + "/api-keys";
    }

    /** The fixed data subject of an actor without a UUID (see ClientIpSealer). */
    private static String subjectNamed(String actor) {
        return UUID.nameUUIDFromBytes(("celaest-actor:" + actor).getBytes(StandardCharsets.UTF_8)).toString();
    }

    // --- what readers see, by correlation id ---

    /** The tenant's audit entries, and the platform-level ones since the start (the anonymous denial). */
    private Map<String, String> listedIps(Fixtures.Tenant tenant, Instant start) {
        Map<String, String> ips = new HashMap<>();
        List<JsonNode> listed = new ArrayList<>(entries(tenant.key(), "organizationId=" + tenant.id()));
        listed.addAll(entries(ADMIN_KEY, "action=deny&from=" + encode(start.toString())));
        listed.forEach(entry -> ips.put(entry.path("correlationId").asText(), entry.path("clientIp").asText()));
        return ips;
    }

    private Map<String, String> exportedIps(Fixtures.Tenant tenant) throws Exception {
        Api.Response export = as(tenant.key(), "GET", AUDIT_LOGS + "/export?format=jsonl&organizationId=" + tenant.id(),
                null);
        assertThat(export.status()).as(export.toString()).isEqualTo(200);
        Map<String, String> ips = new HashMap<>();
        for (String line : export.text().split("\n")) {
            if (!line.isBlank()) {
                JsonNode entry = Api.JSON.readTree(line);
                ips.put(entry.path("correlationId").asText(), entry.path("clientIp").asText());
            }
        }
        return ips;
    }

    private String csvExport(Fixtures.Tenant tenant) {
        Api.Response export = as(tenant.key(), "GET", AUDIT_LOGS + "/export?format=csv&organizationId=" + tenant.id(),
                null);
        assertThat(export.status()).as(export.toString()).isEqualTo(200);
        return export.text();
    }

    private Map<String, String> historyIps(Fixtures.Tenant tenant) {
        JsonNode history = expect(as(tenant.key(), "GET", "/api/v1/audit/aggregates/organization/" + tenant.id()
                + "/events?limit=500", null), 200);
        Map<String, String> ips = new HashMap<>();
        history.path("events").forEach(event -> ips.put(event.path("metadata").path("correlationId").asText(),
                event.path("metadata").path("clientIp").asText()));
        return ips;
    }

    private JsonNode verify(long from, long to) {
        return expect(asAdmin("GET", "/api/v1/audit/verify?from=" + from + "&to=" + to, null), 200);
    }

    // --- the event log as stored ---

    private List<JsonNode> rawMetadata(String correlation) throws Exception {
        return StoredEvents.rows(database, "SELECT meta_data FROM domain_event_entry "
                        + "WHERE convert_from(meta_data, 'UTF8')::jsonb ->> 'correlationId' = ?", correlation,
                rs -> Api.JSON.readTree(rs.getBytes(1)));
    }

    private long firstEventOf(String organizationId) throws SQLException {
        return StoredEvents.number(database, "SELECT min(global_index) FROM domain_event_entry WHERE aggregate_identifier = '"
                + UUID.fromString(organizationId) + "'");
    }

    private long headOfLog() throws SQLException {
        return StoredEvents.number(database, "SELECT max(global_index) FROM domain_event_entry");
    }
}
