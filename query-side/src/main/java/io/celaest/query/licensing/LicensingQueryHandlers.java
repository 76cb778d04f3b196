package io.celaest.query.licensing;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.celaest.api.licensing.*;
import io.celaest.projections.platform.KeysetPages;
import io.celaest.projections.platform.TenantReads;
import org.axonframework.queryhandling.QueryHandler;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Reads of the licensing read models, through {@link TenantReads}: row-level security limits every tenant table
 * to the caller's organization (plans are the public catalogue).
 */
@Component
public class LicensingQueryHandlers {

    private static final TypeReference<Map<String, Object>> JSON_OBJECT = new TypeReference<>() {
    };
    /**
     * The status as of now: a license in force whose {@code expires_at} has passed is expired, also in the instant
     * before its expiry deadline has run and been projected (validations answer EXPIRED from that instant too).
     */
    private static final String STATUS_NOW =
            "(CASE WHEN l.status IN ('active', 'trial') AND l.expires_at <= now() THEN 'expired' ELSE l.status END)";

    private static final String LICENSE_SELECT = "SELECT l.*, " + STATUS_NOW + " AS status_now," + """
                   p.limits AS plan_limits,
                   (SELECT count(*) FROM license_ip_bindings b WHERE b.license_id = l.id) AS binding_count
              FROM licenses l JOIN subscription_plans p ON p.code = l.plan_code
             WHERE""";

    private final TenantReads reads;
    private final ObjectMapper json;

    public LicensingQueryHandlers(TenantReads reads, ObjectMapper json) {
        this.reads = reads;
        this.json = json;
    }

    @QueryHandler
    public List<PlanView> handle(ListPlans query) {
        return reads.read(query.caller(), jdbc -> jdbc.sql("SELECT * FROM subscription_plans ORDER BY price, code")
                .query((rs, n) -> new PlanView(rs.getString("code"), rs.getString("name"),
                        rs.getString("billing_cycle"), rs.getBigDecimal("price").toPlainString(),
                        rs.getString("currency").trim(), PlanLimitsView.of(read(rs.getString("limits"), PlanLimits.class)),
                        instant(rs, "created_at"), instant(rs, "updated_at")))
                .list());
    }

    @QueryHandler
    public Optional<LicenseView> handle(FindLicense query) {
        return reads.read(query.caller(), jdbc -> jdbc.sql(LICENSE_SELECT + " l.id = ?")
                .param(query.licenseId())
                .query(this::license)
                .optional());
    }

    @QueryHandler
    public LicensePage handle(ListLicenses query) {
        StringBuilder select = new StringBuilder(LICENSE_SELECT + " l.organization_id = ?");
        List<Object> params = new ArrayList<>(List.of(query.organizationId()));
        if (query.status() != null) {
            select.append(" AND " + STATUS_NOW + " = ?");
            params.add(query.status().code());
        }
        if (query.planCode() != null) {
            select.append(" AND l.plan_code = ?");
            params.add(query.planCode());
        }
        if (query.expiringBefore() != null) {
            select.append(" AND l.expires_at < ?");
            params.add(Timestamp.from(query.expiringBefore()));
        }
        return reads.read(query.caller(), jdbc -> KeysetPages.page(LicensePage::new, jdbc, select.toString(), params,
                "l.created_at", false, query.page(), this::license, LicenseView::createdAt, LicenseView::id));
    }

    @QueryHandler
    public List<BindingView> handle(ListBindings query) {
        return reads.read(query.caller(), jdbc -> jdbc.sql(
                        "SELECT * FROM license_ip_bindings WHERE license_id = ? ORDER BY created_at, id")
                .param(query.licenseId())
                .query((rs, n) -> new BindingView(rs.getObject("id", UUID.class), rs.getObject("license_id", UUID.class),
                        rs.getString("kind"), rs.getString("value"), rs.getBoolean("manual"),
                        instant(rs, "created_at"), instant(rs, "last_used_at")))
                .list());
    }

    @QueryHandler
    public CollisionPage handle(ListCollisions query) {
        return reads.read(query.caller(), jdbc -> KeysetPages.page(CollisionPage::new, jdbc,
                "SELECT * FROM license_collisions WHERE license_id = ?", List.of(query.licenseId()), "detected_at",
                true, query.page(), (rs, n) -> new CollisionView(rs.getObject("id", UUID.class),
                        rs.getObject("license_id", UUID.class), strings(rs, "ips"), instant(rs, "window_start"),
                        instant(rs, "window_end"), rs.getInt("max_concurrent_ips"), rs.getString("policy"),
                        instant(rs, "detected_at"), instant(rs, "resolved_at"), rs.getString("resolution_note")),
                CollisionView::detectedAt, CollisionView::id));
    }

    @QueryHandler
    public ValidationPage handle(ListValidations query) {
        return reads.read(query.caller(), jdbc -> KeysetPages.page(ValidationPage::new, jdbc,
                "SELECT * FROM license_validations WHERE license_id = ?", List.of(query.licenseId()), "validated_at",
                true, query.page(), (rs, n) -> new ValidationView(rs.getObject("id", UUID.class),
                        rs.getObject("license_id", UUID.class), instant(rs, "validated_at"), rs.getString("ip"),
                        rs.getString("fingerprint"), rs.getObject("product_id", UUID.class), rs.getString("code"),
                        rs.getBoolean("valid")),
                ValidationView::validatedAt, ValidationView::id));
    }

    /** Every metric of the period, with the license's current limits (usage never recorded shows as 0). */
    @QueryHandler
    public Optional<UsageView> handle(FindUsage query) {
        return reads.read(query.caller(), jdbc -> {
            Optional<LicenseView> license = jdbc.sql(LICENSE_SELECT + " l.id = ?").param(query.licenseId())
                    .query(this::license).optional();
            if (license.isEmpty()) {
                return Optional.empty();
            }
            Map<String, Long> used = new LinkedHashMap<>();
            jdbc.sql("""
                            SELECT metric, sum(quantity) AS used FROM license_usage_log
                             WHERE license_id = ? AND period = ? GROUP BY metric""")
                    .params(query.licenseId(), query.period())
                    .query(rs -> {
                        used.put(rs.getString("metric"), rs.getLong("used"));
                    });
            PlanLimitsView limits = license.get().limits();
            List<UsageBalance> metrics = Arrays.stream(UsageMetric.values())
                    .map(m -> UsageBalance.of(m, query.period(), used.getOrDefault(m.code(), 0L),
                            m == UsageMetric.AI_REQUESTS ? limits.maxAiRequestsPerMonth() : limits.maxStorageGb()))
                    .toList();
            return Optional.of(new UsageView(query.licenseId(), query.period(), metrics));
        });
    }

    private LicenseView license(ResultSet rs, int row) throws SQLException {
        LimitOverrides custom = read(rs.getString("custom_limits"), LimitOverrides.class);
        PlanLimits limits = custom.applyTo(read(rs.getString("plan_limits"), PlanLimits.class));
        Map<String, Object> overridden = new LinkedHashMap<>(json.convertValue(PlanLimitsView.of(limits),
                JSON_OBJECT));
        Map<String, Object> given = json.convertValue(custom, JSON_OBJECT);
        overridden.keySet().retainAll(given.entrySet().stream().filter(e -> e.getValue() != null)
                .map(Map.Entry::getKey).toList());
        return new LicenseView(rs.getObject("id", UUID.class), rs.getObject("organization_id", UUID.class),
                rs.getString("key_hint"), rs.getString("plan_code"), rs.getObject("product_id", UUID.class),
                rs.getString("type"), rs.getString("status_now"), instant(rs, "expires_at"), PlanLimitsView.of(limits),
                overridden, rs.getString("suspension_reason"), rs.getInt("binding_count"), instant(rs, "created_at"),
                instant(rs, "updated_at"));
    }

    private <T> T read(String text, Class<T> type) {
        try {
            return json.readValue(text, type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp ts = rs.getTimestamp(column);
        return ts == null ? null : ts.toInstant();
    }

    static List<String> strings(ResultSet rs, String column) throws SQLException {
        Array array = rs.getArray(column);
        return array == null ? List.of() : Arrays.asList((String[]) array.getArray());
    }
}
