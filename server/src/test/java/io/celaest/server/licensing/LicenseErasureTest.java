package io.celaest.server.licensing;

import com.fasterxml.jackson.databind.JsonNode;
import io.celaest.server.support.Api;
import io.celaest.server.support.Fixtures;
import io.celaest.server.support.StoredEvents;
import org.axonframework.common.caching.Cache;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The licensee's device identifiers (bound IPs and fingerprints, collision IPs, the client IP of the validations
 * that changed the license) are personal data of the license's holder: encrypted under the license's key in the
 * event log, shown in clear until the license is erased, then {@code [erased]} everywhere (history, audit list and
 * export, read models) while the stored events, and so the hash chain, stay as they were. Validations come from
 * their own loopback addresses, so each device has an IP of its own.
 */
class LicenseErasureTest extends LicensingTestSupport {

    private static final String ERASED = "[erased]";
    private static final String IP_ONE = "127.0.88.1";
    private static final String IP_TWO = "127.0.88.2";

    @Autowired
    @Qualifier("licenseCache")
    private Cache licenseCache;

    @Test
    void devicesAreEncryptedUnderTheLicensesKeyShownInClearAndErasedWithTheLicense() throws Exception {
        Fixtures.Tenant tenant = tenant();
        Fixtures.Tenant other = tenant();
        Issued license = perpetual(tenant.id(), Map.of("maxIpBindings", 10, "maxConcurrentIps", 1,
                "collisionPolicy", "flag"));
        String fingerprint = "fp-" + UUID.randomUUID();
        String manual = "manual-" + UUID.randomUUID();
        String removed = "removed-" + UUID.randomUUID();
        List<String> devices = List.of(IP_ONE, IP_TWO, fingerprint, manual, removed);
        String base = "/api/v1/licenses/" + license.id();

        // an IP bound on first use, then a fingerprint from a second IP: two IPs at once is a collision (flag)
        assertThat(code(validate(IP_ONE, license.key(), null, null))).isEqualTo("VALID");
        assertThat(code(validate(IP_TWO, license.key(), fingerprint, null))).isEqualTo("VALID");
        // the organization's admin binds two devices by hand and removes one
        assertThat(api().call("POST", base + "/bindings", tenant.key(), Map.of("kind", "fingerprint", "value", manual))
                .status()).isEqualTo(201);
        Api.Response second = api().call("POST", base + "/bindings", tenant.key(),
                Map.of("kind", "fingerprint", "value", removed));
        assertThat(second.status()).isEqualTo(201);
        assertThat(api().call("DELETE", base + "/bindings/" + second.json().get("id").asText(), tenant.key(), null)
                .status()).isEqualTo(204);
        JsonNode collisions = await().atMost(Duration.ofSeconds(20))
                .until(() -> get(tenant.key(), base + "/collisions"), page -> page.get("items").size() == 1);

        // the read models hold them in clear
        assertThat(get(tenant.key(), base + "/bindings").findValuesAsText("value"))
                .containsExactlyInAnyOrder(IP_ONE, fingerprint, manual);
        assertThat(texts(collisions.get("items").get(0).get("ips"))).containsExactly(IP_ONE, IP_TWO);
        JsonNode validations = get(tenant.key(), base + "/validations?limit=200").get("items");
        assertThat(validations.findValuesAsText("ip")).containsExactlyInAnyOrder(IP_ONE, IP_TWO);
        assertThat(fingerprints(validations)).containsExactly(fingerprint);

        // the event log holds none of them in clear: each is sealed under the license's key
        for (String device : devices) {
            assertThat(StoredEvents.containing(database, device)).as(device).isZero();
        }
        List<JsonNode> stored = storedPayloads(license.id());
        List<JsonNode> bound = stored.stream().filter(e -> e.path("type").asText().endsWith(".LicenseBound")).toList();
        assertThat(bound).hasSize(4).allSatisfy(event -> {
            assertThat(event.path("payload").path("value").path("personalDataOf").asText()).isEqualTo(license.id());
            assertThat(event.path("payload").path("value").path("ciphertext").asText()).isNotBlank();
        });
        JsonNode unbound = only(stored, ".BindingRemoved");
        assertThat(unbound.path("payload").path("value").path("personalDataOf").asText()).isEqualTo(license.id());
        JsonNode collided = only(stored, ".CollisionDetected");
        assertThat(collided.path("payload").path("ips")).hasSize(2).allSatisfy(ip ->
                assertThat(ip.path("personalDataOf").asText()).isEqualTo(license.id()));
        // the client IP of a validation that bound a device is the holder's too: under the license's key
        assertThat(bound.stream().filter(e -> !e.path("payload").path("manual").asBoolean()).toList())
                .hasSize(2).allSatisfy(event -> assertThat(event.path("metadata").path("clientIp")
                        .path("personalDataOf").asText()).isEqualTo(license.id()));

        // history and state show them in clear
        JsonNode history = history(tenant.key(), license.id());
        assertThat(historyValues(history)).containsExactlyInAnyOrder(IP_ONE, fingerprint, manual, removed, removed);
        assertThat(texts(only(history, "CollisionDetected").path("payload").path("ips"))).containsExactly(IP_ONE, IP_TWO);
        assertThat(validationClientIps(history)).containsExactlyInAnyOrder(IP_ONE, IP_TWO, IP_TWO);
        JsonNode state = state(tenant.key(), license.id());
        assertThat(state.path("bindings").findValuesAsText("value")).containsExactlyInAnyOrder(IP_ONE, fingerprint, manual);
        // and so do the audit list and export (the entries of the collision and the bindings)
        awaitAuditOf(tenant, "detect", "license_collision");
        String listed = auditText(tenant);
        assertThat(listed).contains(IP_ONE).contains(IP_TWO).contains(fingerprint).contains(manual);
        List<byte[]> storedBefore = StoredEvents.bytesOf(database, license.id());

        // who may erase: not another organization (404 as for an unknown license), not without licenses:write
        assertThat(api().call("POST", base + "/erase", other.key(), null).status()).isEqualTo(404);
        assertThat(api().call("POST", "/api/v1/licenses/" + UUID.randomUUID() + "/erase", tenant.key(), null)
                .status()).isEqualTo(404);
        String readOnly = Fixtures.createKey(api(), tenant.id(), List.of("licenses:read"));
        assertThat(api().call("POST", base + "/erase", readOnly, null).status()).isEqualTo(403);

        // the organization's admin erases: the license is cancelled, then erased; once only
        assertThat(api().call("POST", base + "/erase", tenant.key(), null).status()).isEqualTo(204);
        Api.Response again = api().call("POST", base + "/erase", tenant.key(), null);
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.json().path("code").asText()).isEqualTo("ALREADY_ERASED");
        assertThat(get(tenant.key(), base).path("status").asText()).isEqualTo("cancelled");

        // read models: the values read erased (the collision keeps how many IPs it had), nothing else changed
        JsonNode bindings = get(tenant.key(), base + "/bindings");
        assertThat(bindings).hasSize(3);
        assertThat(bindings.findValuesAsText("value")).containsOnly(ERASED);
        assertThat(bindings.findValuesAsText("kind")).containsExactlyInAnyOrder("ip", "fingerprint", "fingerprint");
        assertThat(texts(get(tenant.key(), base + "/collisions").get("items").get(0).get("ips")))
                .containsExactly(ERASED, ERASED);
        JsonNode scrubbed = get(tenant.key(), base + "/validations?limit=200").get("items");
        assertThat(scrubbed).hasSize(validations.size());
        assertThat(scrubbed.findValuesAsText("ip")).containsOnly(ERASED);
        assertThat(fingerprints(scrubbed)).containsExactly(ERASED);

        // a validation decided before the erasure and committed after it: the follow-up a minute later (a persistent
        // deadline, brought forward here) erases it too
        insertValidation(license, tenant, "127.0.88.4", "fp-late");
        assertThat(get(tenant.key(), base + "/validations?limit=200").get("items").findValuesAsText("ip"))
                .contains("127.0.88.4");
        assertThat(bringForwardErasureFollowUp(license.id())).isEqualTo(1);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            JsonNode late = get(tenant.key(), base + "/validations?limit=200").get("items");
            assertThat(late).hasSize(validations.size() + 1);
            assertThat(late.findValuesAsText("ip")).containsOnly(ERASED);
            assertThat(fingerprints(late)).containsOnly(ERASED);
        });

        // history and state: erased, the rest as before
        JsonNode after = history(tenant.key(), license.id());
        assertThat(historyValues(after)).containsOnly(ERASED).hasSize(5);
        assertThat(texts(only(after, "CollisionDetected").path("payload").path("ips"))).containsExactly(ERASED, ERASED);
        assertThat(validationClientIps(after)).containsOnly(ERASED).hasSize(3);
        assertThat(after.path("events").findValuesAsText("eventType")).endsWith("LicenseCancelled", "LicenseErased");
        JsonNode stateAfter = state(tenant.key(), license.id());
        assertThat(stateAfter.path("bindings").findValuesAsText("value")).containsOnly(ERASED).hasSize(3);
        assertThat(stateAfter.path("status").asText()).isEqualTo("cancelled");
        assertThat(stateAfter.path("personalDataErased").asBoolean()).isTrue();
        assertThat(after.toString() + stateAfter).doesNotContain(IP_ONE).doesNotContain(IP_TWO)
                .doesNotContain(fingerprint).doesNotContain(manual).doesNotContain(removed);

        // the audit list and both exports: nothing in clear
        awaitAuditOf(tenant, "erase", "license");
        String audited = auditText(tenant) + export(tenant, "jsonl") + export(tenant, "csv");
        for (String device : devices) {
            assertThat(audited).as(device).doesNotContain(device);
        }
        assertThat(audited).contains(ERASED);

        // the stored events did not change by a byte, so the hash chain still verifies
        assertThat(StoredEvents.bytesOf(database, license.id()).subList(0, storedBefore.size())).containsExactlyElementsOf(storedBefore);
        long from = StoredEvents.number(database, "SELECT min(global_index) FROM domain_event_entry WHERE aggregate_identifier = '"
                + UUID.fromString(license.id()) + "'");
        long head = StoredEvents.number(database, "SELECT max(global_index) FROM domain_event_entry");
        await().atMost(Duration.ofSeconds(30)).until(() -> verify(from, head).path("chainHead").asLong() >= head);
        JsonNode verification = verify(from, head);
        assertThat(verification.path("verified").asBoolean()).as(verification.toString()).isTrue();

        // the key answers CANCELLED, on a known device and a new one alike, and those validations are recorded
        // without the caller's IP and fingerprint: the holder's devices may keep presenting the key for months
        assertThat(code(validate(IP_ONE, license.key(), null, null))).isEqualTo("CANCELLED");
        assertThat(code(validate("127.0.88.3", license.key(), "fp-new", null))).isEqualTo("CANCELLED");
        JsonNode afterwards = get(tenant.key(), base + "/validations?limit=200").get("items");
        assertThat(afterwards.findValuesAsText("code")).contains("CANCELLED");
        assertThat(afterwards.findValuesAsText("ip")).containsOnly(ERASED);
        assertThat(afterwards.toString()).doesNotContain("127.0.88.3").doesNotContain("fp-new").doesNotContain(IP_ONE);
    }

    @Test
    void theOperatorErasesACancelledLicenseWithoutCancellingItAgain() {
        Fixtures.Tenant tenant = tenant();
        Issued license = perpetual(tenant.id(), null);
        String base = "/api/v1/licenses/" + license.id();
        assertThat(code(validate("127.0.88.9", license.key(), null, null))).isEqualTo("VALID");
        assertThat(asAdmin("POST", base + "/cancel", Map.of("reason", "refund")).status()).isEqualTo(204);
        assertThat(asAdmin("POST", base + "/erase", null).status()).isEqualTo(204);
        List<String> types = history(ADMIN_KEY, license.id()).path("events").findValuesAsText("eventType");
        assertThat(types).containsOnlyOnce("LicenseCancelled").endsWith("LicenseCancelled", "LicenseErased");
        assertThat(get(tenant.key(), base + "/bindings").findValuesAsText("value")).containsExactly(ERASED);
        assertThat(asAdmin("POST", base + "/erase", null).status()).isEqualTo(409);
    }

    /** Events stored before device values were personal data hold them in clear: they still load and read. */
    @Test
    void eventsStoredWithPlaintextDevicesStillLoad() throws Exception {
        Fixtures.Tenant tenant = tenant();
        Issued license = perpetual(tenant.id(), null);
        String base = "/api/v1/licenses/" + license.id();
        UUID binding = UUID.randomUUID();
        UUID collision = UUID.randomUUID();
        String ip = "192.0.2.201";
        String otherIp = "192.0.2.202";
        appendPlaintext(license, "LicenseBound", Map.of("licenseId", license.id(), "organizationId", tenant.id(),
                "bindingId", binding.toString(), "kind", "IP", "value", ip, "manual", true));
        appendPlaintext(license, "CollisionDetected", Map.of("licenseId", license.id(), "organizationId", tenant.id(),
                "collisionId", collision.toString(), "ips", List.of(ip, otherIp),
                "windowStart", Instant.now().minusSeconds(60).toString(), "windowEnd", Instant.now().toString(),
                "maxConcurrentIps", 1, "policy", "FLAG"));
        licenseCache.remove(license.id()); // the next command loads the License from the event log

        // the aggregate knows the binding and the collision from the plaintext events
        assertThat(api().call("DELETE", base + "/bindings/" + binding, tenant.key(), null).status()).isEqualTo(204);
        assertThat(api().call("POST", base + "/collisions/" + collision + "/resolve", tenant.key(), null).status())
                .isEqualTo(204);
        JsonNode history = history(tenant.key(), license.id());
        assertThat(historyValues(history)).containsExactly(ip, ip);
        assertThat(texts(only(history, "CollisionDetected").path("payload").path("ips"))).containsExactly(ip, otherIp);
        // the removal written now is encrypted
        JsonNode removal = only(storedPayloads(license.id()), ".BindingRemoved");
        assertThat(removal.path("payload").path("value").path("personalDataOf").asText()).isEqualTo(license.id());
    }

    // --- reads through the API ---

    private JsonNode history(String token, String licenseId) {
        return get(token, "/api/v1/audit/aggregates/license/" + licenseId + "/events?limit=500");
    }

    private JsonNode state(String token, String licenseId) {
        return get(token, "/api/v1/audit/aggregates/license/" + licenseId + "/state").path("state");
    }

    /** The values of every LicenseBound and BindingRemoved in the history. */
    private static List<String> historyValues(JsonNode history) {
        List<String> values = new ArrayList<>();
        history.path("events").forEach(event -> {
            String type = event.path("eventType").asText();
            if (type.equals("LicenseBound") || type.equals("BindingRemoved")) {
                values.add(event.path("payload").path("value").asText());
            }
        });
        return values;
    }

    /** The client IPs of the events that validations caused (actor: the license key). */
    private static List<String> validationClientIps(JsonNode history) {
        List<String> ips = new ArrayList<>();
        history.path("events").forEach(event -> {
            if (event.path("metadata").path("actorKind").asText().equals("license_key")) {
                ips.add(event.path("metadata").path("clientIp").asText());
            }
        });
        return ips;
    }

    private static JsonNode only(JsonNode history, String type) {
        List<JsonNode> found = new ArrayList<>();
        history.path("events").forEach(event -> {
            if (event.path("eventType").asText().equals(type)) {
                found.add(event);
            }
        });
        assertThat(found).as(type).hasSize(1);
        return found.get(0);
    }

    private static JsonNode only(List<JsonNode> stored, String typeSuffix) {
        List<JsonNode> found = stored.stream().filter(e -> e.path("type").asText().endsWith(typeSuffix)).toList();
        assertThat(found).as(typeSuffix).hasSize(1);
        return found.get(0);
    }

    private static List<String> fingerprints(JsonNode validations) {
        List<String> fingerprints = new ArrayList<>();
        validations.forEach(v -> {
            if (v.hasNonNull("fingerprint")) {
                fingerprints.add(v.get("fingerprint").asText());
            }
        });
        return fingerprints;
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(node -> texts.add(node.asText()));
        return texts;
    }

    private void awaitAuditOf(Fixtures.Tenant tenant, String action, String resourceType) {
        await().atMost(Duration.ofSeconds(20)).until(() -> get(tenant.key(), "/api/v1/audit-logs?limit=10&organizationId="
                + tenant.id() + "&action=" + action + "&resourceType=" + resourceType).path("items").size() > 0);
    }

    /** Every audit entry of the organization, as the JSON text the API answers. */
    private String auditText(Fixtures.Tenant tenant) {
        StringBuilder text = new StringBuilder();
        String cursor = null;
        do {
            JsonNode page = get(tenant.key(), "/api/v1/audit-logs?limit=200&organizationId=" + tenant.id()
                    + (cursor == null ? "" : "&cursor=" + java.net.URLEncoder.encode(cursor, StandardCharsets.UTF_8)));
            text.append(page.path("items"));
            cursor = page.path("nextCursor").isNull() ? null : page.path("nextCursor").asText();
        } while (cursor != null);
        return text.toString();
    }

    private String export(Fixtures.Tenant tenant, String format) {
        Api.Response export = api().call("GET", "/api/v1/audit-logs/export?format=" + format + "&organizationId="
                + tenant.id(), tenant.key(), null);
        assertThat(export.status()).as(export.toString()).isEqualTo(200);
        return export.text();
    }

    private JsonNode verify(long from, long to) {
        Api.Response verified = asAdmin("GET", "/api/v1/audit/verify?from=" + from + "&to=" + to, null);
        assertThat(verified.status()).as(verified.toString()).isEqualTo(200);
        return verified.json();
    }

    // --- the event log as stored ---

    /** The license's stored events as {type, payload, metadata} JSON, in order. */
    private List<JsonNode> storedPayloads(String licenseId) throws Exception {
        return StoredEvents.rows(database, "SELECT payload_type, payload, meta_data FROM domain_event_entry "
                        + "WHERE aggregate_identifier = ? ORDER BY sequence_number", licenseId,
                rs -> Api.JSON.createObjectNode().put("type", rs.getString(1))
                        .<com.fasterxml.jackson.databind.node.ObjectNode>set("payload", Api.JSON.readTree(rs.getBytes(2)))
                        .set("metadata", Api.JSON.readTree(rs.getBytes(3))));
    }

    /** Appends an event to the license's stream as it was stored before its device values were personal data. */
    private void appendPlaintext(Issued license, String type, Map<String, Object> payload) throws Exception {
        try (Connection c = database.connect(); PreparedStatement s = c.prepareStatement("""
                INSERT INTO domain_event_entry (aggregate_identifier, sequence_number, type, event_identifier, meta_data,
                                                payload, payload_revision, payload_type, time_stamp)
                SELECT ?, max(sequence_number) + 1, 'License', ?, ?, ?, NULL, ?, ?
                  FROM domain_event_entry WHERE aggregate_identifier = ?""")) {
            s.setString(1, license.id());
            s.setString(2, UUID.randomUUID().toString());
            s.setBytes(3, "{}".getBytes(StandardCharsets.UTF_8));
            s.setBytes(4, Api.JSON.writeValueAsBytes(payload));
            s.setString(5, "io.celaest.api.licensing." + type);
            s.setString(6, Instant.now().toString());
            s.setString(7, license.id());
            assertThat(s.executeUpdate()).isEqualTo(1);
        }
    }

    private void insertValidation(Issued license, Fixtures.Tenant tenant, String ip, String fingerprint)
            throws SQLException {
        try (Connection c = database.connect(); PreparedStatement s = c.prepareStatement("""
                INSERT INTO license_validations (id, license_id, organization_id, validated_at, ip, fingerprint, code, valid)
                VALUES (?, ?, ?, now(), ?, ?, 'VALID', true)""")) {
            s.setObject(1, UUID.randomUUID());
            s.setObject(2, UUID.fromString(license.id()));
            s.setObject(3, UUID.fromString(tenant.id()));
            s.setString(4, ip);
            s.setString(5, fingerprint);
            s.executeUpdate();
        }
    }

    /** The erasure's follow-up deadline of the license (in db-scheduler's table) made due now. */
    private int bringForwardErasureFollowUp(String licenseId) throws SQLException {
        try (Connection c = database.connect(); PreparedStatement s = c.prepareStatement("""
                UPDATE scheduled_tasks SET execution_time = now()
                 WHERE task_name = 'AxonDeadline' AND NOT picked
                   AND position(convert_to('license-erasure-follow-up', 'UTF8') IN task_data) > 0
                   AND position(convert_to(?, 'UTF8') IN task_data) > 0""")) {
            s.setString(1, licenseId);
            return s.executeUpdate();
        }
    }
}
