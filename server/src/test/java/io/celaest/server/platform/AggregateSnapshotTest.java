package io.celaest.server.platform;

import io.celaest.server.support.Api;
import io.celaest.server.support.Fixtures;
import io.celaest.server.support.PlatformTest;
import org.axonframework.common.caching.Cache;
import org.axonframework.eventsourcing.AggregateCacheEntry;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.SimpleSerializedObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import java.lang.reflect.Field;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Snapshots of the hot aggregates (one every 250 events): written with the aggregate's whole state, read back
 * equal to the aggregate the events made, and every rule still holds on an aggregate loaded from one, also when
 * an older, empty snapshot (as written before snapshots had a serializer of their own) is still in the table.
 */
@ExtendWith(OutputCaptureExtension.class)
class AggregateSnapshotTest extends PlatformTest {

    @Autowired
    @Qualifier("licenseCache")
    private Cache licenseCache;

    @Autowired
    @Qualifier("organizationCache")
    private Cache organizationCache;

    @Autowired
    @Qualifier("snapshotSerializer")
    private Serializer snapshotSerializer;

    private record SnapshotRow(long sequenceNumber, String payloadType, String revision, byte[] payload) {
    }

    private SnapshotRow latestSnapshot(String aggregateId) throws Exception {
        try (Connection connection = database.connect();
             PreparedStatement select = connection.prepareStatement("""
                     SELECT sequence_number, payload_type, payload_revision, payload FROM snapshot_event_entry
                     WHERE aggregate_identifier = ? ORDER BY sequence_number DESC LIMIT 1""")) {
            select.setString(1, aggregateId);
            try (ResultSet rs = select.executeQuery()) {
                return rs.next() ? new SnapshotRow(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getBytes(4))
                        : null;
            }
        }
    }

    /** What an old build wrote: an empty payload of no revision. */
    private void replaceWithEmptySnapshot(String aggregateId) throws Exception {
        try (Connection connection = database.connect();
             PreparedStatement update = connection.prepareStatement("""
                     UPDATE snapshot_event_entry SET payload = convert_to('{}', 'UTF8'), payload_revision = NULL
                     WHERE aggregate_identifier = ?""")) {
            update.setString(1, aggregateId);
            assertThat(update.executeUpdate()).isEqualTo(1);
        }
    }

    /** The aggregate object held in the cache: the one its events (applied in this process) made. */
    private static Object cachedAggregate(Cache cache, String aggregateId) throws Exception {
        AggregateCacheEntry<?> entry = cache.get(aggregateId);
        assertThat(entry).as("cached " + aggregateId).isNotNull();
        Field root = AggregateCacheEntry.class.getDeclaredField("aggregateRoot");
        root.setAccessible(true);
        return root.get(entry);
    }

    private Object restore(SnapshotRow row) {
        return snapshotSerializer.deserialize(new SimpleSerializedObject<>(row.payload(), byte[].class,
                row.payloadType(), row.revision()));
    }

    private static long snapshotProblems(CapturedOutput output) {
        return output.getAll().lines().filter(line -> line.contains("snapshot")
                && (line.contains("WARN") || line.contains("ERROR") || line.contains("Exception"))).count();
    }

    @Test
    void aLicenseSnapshotHoldsItsWholeStateAndItsUsageQuotaHoldsWhenLoadedFromIt(CapturedOutput output)
            throws Exception {
        Fixtures.Tenant tenant = Fixtures.tenant(api(), "professional");
        Api.Response issued = asAdmin("POST", "/api/v1/organizations/" + tenant.id() + "/licenses",
                Map.of("plan", "professional", "type", "perpetual",
                        "customLimits", Map.of("maxAiRequestsPerMonth", 300)));
        assertThat(issued.status()).as(issued.toString()).isEqualTo(201);
        String id = issued.json().get("id").asText();
        String usage = "/api/v1/licenses/" + id + "/usage";

        // LicenseIssued is event 0: the 249th record is event 249, the 250th event, which takes the snapshot
        List<String> failures = new ArrayList<>();
        for (int i = 1; i <= 260; i++) {
            Api.Response recorded = api().call("POST", usage, tenant.key(),
                    Map.of("metric", "ai_requests", "quantity", 1));
            if (recorded.status() != 200) {
                failures.add("record " + i + ": " + recorded);
            }
            if (i == 249) {
                SnapshotRow row = latestSnapshot(id);
                assertThat(row).isNotNull();
                assertThat(row.sequenceNumber()).isEqualTo(249);
                assertThat(row.revision()).isEqualTo("1");
                assertThat(new String(row.payload())).contains("\"id\":\"" + id + "\"", "249");
                // unless the license directory's poll dropped it from the cache just then
                if (licenseCache.containsKey(id)) {
                    assertThat(restore(row)).usingRecursiveComparison()
                            .isEqualTo(cachedAggregate(licenseCache, id));
                }
            }
        }
        assertThat(failures).isEmpty();

        licenseCache.removeAll(); // the next command loads the License from its snapshot and the events after it
        Api.Response rest = api().call("POST", usage, tenant.key(), Map.of("metric", "ai_requests", "quantity", 40));
        assertThat(rest.status()).as(rest.toString()).isEqualTo(200);
        assertThat(rest.json().get("remaining").asLong()).isZero();
        licenseCache.removeAll();
        Api.Response over = api().call("POST", usage, tenant.key(), Map.of("metric", "ai_requests", "quantity", 1));
        assertThat(over.status()).as(over.toString()).isEqualTo(409);
        assertThat(over.json().get("code").asText()).isEqualTo("USAGE_LIMIT_EXCEEDED");
        assertThat(over.json().get("used").asLong()).isEqualTo(300);

        // an empty snapshot left by an older build is ignored: the License is rebuilt from all its events
        replaceWithEmptySnapshot(id);
        licenseCache.removeAll();
        Api.Response stillOver = api().call("POST", usage, tenant.key(),
                Map.of("metric", "ai_requests", "quantity", 1));
        assertThat(stillOver.status()).as(stillOver.toString()).isEqualTo(409);
        assertThat(stillOver.json().get("used").asLong()).isEqualTo(300);
        assertThat(asAdmin("POST", "/api/v1/licenses/" + id + "/suspend", null).status()).isEqualTo(204);
        licenseCache.removeAll();
        Api.Response suspended = api().call("POST", usage, tenant.key(), Map.of("metric", "ai_requests", "quantity", 1));
        assertThat(suspended.status()).as(suspended.toString()).isEqualTo(409);
        assertThat(suspended.json().get("licenseStatus").asText()).isEqualTo("suspended");
        assertThat(snapshotProblems(output)).isZero();
    }

    @Test
    void anOrganizationSnapshotHoldsItsWholeStateAndItsUserRulesHoldWhenLoadedFromIt(CapturedOutput output)
            throws Exception {
        Api.Response created = asAdmin("POST", "/api/v1/organizations", Map.of("name", "Snapshots",
                "slug", Fixtures.uniqueSlug("snap"), "plan", "professional", "maxUsers", 3));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String id = created.json().get("id").asText();
        String users = "/api/v1/organizations/" + id + "/users";
        assertThat(asAdmin("POST", users, Map.of("email", "a@snap.io", "name", "A", "role", "member")).status())
                .isEqualTo(201);
        assertThat(asAdmin("POST", users, Map.of("email", "b@snap.io", "name", "B", "role", "member")).status())
                .isEqualTo(201);
        assertThat(asAdmin("PATCH", "/api/v1/organizations/" + id,
                Map.of("settings", Map.of("theme", "dark", "seats", 3, "brand", Map.of("color", "#123456"))))
                .status()).isEqualTo(204);

        // events 0-3 so far: the 246th rename is event 249, the 250th event, which takes the snapshot
        List<String> failures = new ArrayList<>();
        for (int i = 1; i <= 260; i++) {
            Api.Response renamed = asAdmin("PATCH", "/api/v1/organizations/" + id, Map.of("name", "Snapshots " + i));
            if (renamed.status() != 204) {
                failures.add("rename " + i + ": " + renamed);
            }
            if (i == 246) {
                SnapshotRow row = latestSnapshot(id);
                assertThat(row).isNotNull();
                assertThat(row.sequenceNumber()).isEqualTo(249);
                assertThat(row.revision()).isEqualTo("1");
                assertThat(new String(row.payload())).contains("\"name\":\"Snapshots 246\"", "a@snap.io");
                assertThat(restore(row)).usingRecursiveComparison()
                        .isEqualTo(cachedAggregate(organizationCache, id));
            }
        }
        assertThat(failures).isEmpty();

        // a rejected command rolls back, and a rollback drops the aggregate from the cache: the next command
        // loads it from the snapshot
        Api.Response sameEmail = asAdmin("POST", users, Map.of("email", "A@snap.io", "name", "A2", "role", "member"));
        assertThat(sameEmail.status()).as(sameEmail.toString()).isEqualTo(409);
        assertThat(sameEmail.json().get("code").asText()).isEqualTo("EMAIL_TAKEN");
        assertThat(organizationCache.containsKey(id)).isFalse();
        assertThat(asAdmin("POST", users, Map.of("email", "c@snap.io", "name", "C", "role", "member")).status())
                .isEqualTo(201);
        organizationCache.removeAll();
        Api.Response full = asAdmin("POST", users, Map.of("email", "d@snap.io", "name", "D", "role", "member"));
        assertThat(full.status()).as(full.toString()).isEqualTo(409);
        assertThat(full.json().get("code").asText()).isEqualTo("MAX_USERS_REACHED");

        replaceWithEmptySnapshot(id);
        organizationCache.removeAll();
        Api.Response stillFull = asAdmin("POST", users, Map.of("email", "e@snap.io", "name", "E", "role", "member"));
        assertThat(stillFull.status()).as(stillFull.toString()).isEqualTo(409);
        assertThat(stillFull.json().get("code").asText()).isEqualTo("MAX_USERS_REACHED");
        assertThat(snapshotProblems(output)).isZero();
    }
}
