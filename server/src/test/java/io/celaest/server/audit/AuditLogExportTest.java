package io.celaest.server.audit;

import com.fasterxml.jackson.databind.JsonNode;
import io.celaest.server.support.Api;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The export streams: 100,000 rows (about 1 KiB each) of one organization, inserted straight into audit_logs,
 * come out as JSON Lines and as CSV, and while the client holds the stream open after its first line the
 * server (this JVM) holds far less than the 100 MB those rows would take in memory.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuditLogExportTest extends AuditTestSupport {

    private static final int ROWS = 100_000;
    private static final long MATERIALIZED_BYTES = 100L * 1024 * 1024;

    private final String organization = UUID.randomUUID().toString();
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void insertRows() throws Exception {
        // negative global indexes: never the index of a real event, unique per run
        long base = -ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE / 4_000_000) * 1_000_000;
        try (Connection c = database.connect();
             PreparedStatement s = c.prepareStatement("""
                     INSERT INTO audit_logs (id, event_global_index, event_identifier, occurred_at, organization_id,
                                             actor_id, actor_kind, action, resource_type, resource_id, outcome,
                                             client_ip, user_agent, correlation_id, event_type, changes)
                     SELECT gen_random_uuid(), ? + g, 'bulk-' || ? || '-' || g,
                            timestamptz '2020-01-01 00:00:00+00' + g * interval '1 second', ?::uuid,
                            'bulk-actor', 'api_key', 'update', 'bulk', '=cmd' || g, 'success', '10.0.0.1',
                            'Mozilla/5.0 (X11, "quoted") ' || repeat('a', 300), 'corr-' || g, 'BulkTested',
                            jsonb_build_object('field', jsonb_build_object('before', repeat('b', 250),
                                                                           'after', repeat('c', 250)))
                     FROM generate_series(1, ?) g""")) {
            s.setLong(1, base);
            s.setString(2, organization);
            s.setString(3, organization);
            s.setInt(4, ROWS);
            assertThat(s.executeUpdate()).isEqualTo(ROWS);
        }
    }

    @AfterAll
    void deleteRows() throws Exception {
        try (Connection c = database.connect();
             PreparedStatement s = c.prepareStatement("DELETE FROM audit_logs WHERE organization_id = ?::uuid")) {
            s.setString(1, organization);
            s.executeUpdate();
        }
    }

    @Test
    void jsonLinesStreamEveryRowInConstantMemory() throws Exception {
        HttpResponse<InputStream> response = export("jsonl");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/x-ndjson");
        assertThat(response.headers().firstValue("Content-Disposition").orElseThrow())
                .startsWith("attachment; filename=\"audit-logs-").endsWith(".jsonl\"");
        try (BufferedReader lines = reader(response)) {
            JsonNode first = Api.JSON.readTree(lines.readLine());
            assertThat(first.path("organizationId").asText()).isEqualTo(organization);
            assertThat(first.path("resourceId").asText()).isEqualTo("=cmd1");
            assertThat(first.path("changes").path("field").path("after").asText()).startsWith("ccc");
            assertHeapFarBelowMaterialized();
            long count = 1;
            long previous = first.path("eventGlobalIndex").asLong();
            String line;
            while ((line = lines.readLine()) != null) {
                count++;
                if (count % 10_000 == 0) {
                    long index = Api.JSON.readTree(line).path("eventGlobalIndex").asLong();
                    assertThat(index).isGreaterThan(previous);
                    previous = index;
                }
            }
            assertThat(count).isEqualTo(ROWS);
        }
    }

    @Test
    void csvStreamsEveryRowEscapedAndNeutralized() throws Exception {
        HttpResponse<InputStream> response = export("csv");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/csv");
        assertThat(response.headers().firstValue("Content-Disposition").orElseThrow()).endsWith(".csv\"");
        try (BufferedReader lines = reader(response)) {
            assertThat(lines.readLine()).startsWith("id,event_global_index,event_identifier,occurred_at,organization_id");
            String first = lines.readLine();
            // a comma or quote forces quoting with doubled quotes; a leading = is neutralized against formulas
            assertThat(first).contains(",'=cmd1,").contains(",\"Mozilla/5.0 (X11, \"\"quoted\"\") aaa")
                    .contains(",2020-01-01T00:00:01Z,");
            assertHeapFarBelowMaterialized();
            long count = 1;
            while (lines.readLine() != null) {
                count++;
            }
            assertThat(count).isEqualTo(ROWS);
        }
    }

    @Test
    void anOrganizationsAuditorExportsItsOwnRowsOnly() throws Exception {
        String other = io.celaest.server.support.Fixtures.createOrganization(api(), "starter");
        String auditor = io.celaest.server.support.Fixtures.createKey(api(), other, java.util.List.of("audit:read"));
        awaitEntry(auditor, "", e -> true); // the projection has caught up with the organization's creation
        Api.Response export = as(auditor, "GET", AUDIT_LOGS + "/export?format=csv", null);
        assertThat(export.status()).isEqualTo(200);
        assertThat(export.text()).doesNotContain(organization).contains(other);
    }

    /**
     * The client has read one line and stops; the server is blocked writing into full socket buffers. Had it
     * loaded the rows before writing, the 100 MB would be on its heap now.
     */
    private void assertHeapFarBelowMaterialized() {
        System.gc();
        long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        assertThat(used - heapBefore).as("heap growth during the export").isLessThan(MATERIALIZED_BYTES / 2);
    }

    private long heapBefore;

    private HttpResponse<InputStream> export(String format) throws Exception {
        System.gc();
        heapBefore = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + AUDIT_LOGS
                        + "/export?format=" + format + "&organizationId=" + organization))
                .timeout(Duration.ofMinutes(5))
                .header("Authorization", "Bearer " + ADMIN_KEY)
                .GET().build();
        return http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    }

    private static BufferedReader reader(HttpResponse<InputStream> response) {
        return new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8), 8192);
    }
}
