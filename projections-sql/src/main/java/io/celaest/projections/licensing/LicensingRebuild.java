package io.celaest.projections.licensing;

import io.celaest.projections.platform.RebuildableReadModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Rebuilding the licensing tables from the event log ({@link LicensingProjection}'s handlers replayed by the server
 * into copies of the tables, which then replace the live rows), and the two things the events alone do not give:
 * <ul>
 * <li>{@code license_ip_bindings.last_used_at} is operational, refreshed by validations, not by events. A rebuilt
 * binding keeps its live row's value; a binding whose live row was missing gets its last valid validation's time.
 * Otherwise every binding would look unused since it was made, and the stale-binding sweep would release bindings
 * still in use.</li>
 * <li>Validations read licenses from a per-node cache that drops a license when its {@code licenses.updated_at}
 * moves, and everything when a plan's does (every node polls both). A row the rebuild corrects or restores gets the
 * rebuild's time as {@code updated_at}, so every node drops its copy within a poll; rows the rebuild leaves as they
 * were keep their time.</li>
 * </ul>
 */
@Component
public class LicensingRebuild implements RebuildableReadModel {

    private static final Logger log = LoggerFactory.getLogger(LicensingRebuild.class);

    private final JdbcClient jdbc;

    public LicensingRebuild(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public String processingGroup() {
        return LicensingProjection.PROCESSING_GROUP;
    }

    @Override
    public List<String> tables() {
        return LicensingProjection.TABLES;
    }

    @Override
    public List<String> aggregateTypes() {
        return List.of("License", "SubscriptionPlan");
    }

    /** {@code pg_temp.*}: the rebuilt copies; {@code live}: the tables they are about to replace. */
    @Override
    public void beforeReplacing(UnaryOperator<String> live) {
        String bindings = live.apply("license_ip_bindings");
        jdbc.sql("UPDATE pg_temp.license_ip_bindings b SET last_used_at = l.last_used_at FROM " + bindings + " l "
                + "WHERE l.id = b.id AND l.last_used_at > b.last_used_at").update();
        int lost = jdbc.sql("""
                UPDATE pg_temp.license_ip_bindings b
                   SET last_used_at = greatest(b.last_used_at, (
                       SELECT max(v.validated_at) FROM license_validations v
                        WHERE v.license_id = b.license_id AND v.valid
                          AND (b.kind = 'ip' AND v.ip = b.value OR b.kind = 'fingerprint' AND v.fingerprint = b.value)))
                 WHERE NOT EXISTS (SELECT 1 FROM %s l WHERE l.id = b.id)""".formatted(bindings)).update();
        // clock_timestamp(), not now(): the rebuild may have run longer than the nodes look back for changes
        int licenses = jdbc.sql("""
                UPDATE pg_temp.licenses r SET updated_at = greatest(r.updated_at, clock_timestamp())
                 WHERE NOT EXISTS (SELECT 1 FROM %s l
                                    WHERE l.id = r.id AND to_jsonb(l) - 'updated_at' = to_jsonb(r) - 'updated_at')
                    OR r.id IN (SELECT coalesce(n.license_id, o.license_id)
                                  FROM pg_temp.license_ip_bindings n FULL JOIN %s o ON o.id = n.id
                                 WHERE n.id IS NULL OR o.id IS NULL
                                    OR (n.license_id, n.kind, n.value) IS DISTINCT FROM (o.license_id, o.kind, o.value))"""
                .formatted(live.apply("licenses"), bindings)).update();
        int plans = jdbc.sql("""
                UPDATE pg_temp.subscription_plans r SET updated_at = greatest(r.updated_at, clock_timestamp())
                 WHERE NOT EXISTS (SELECT 1 FROM %s l
                                    WHERE l.code = r.code AND to_jsonb(l) - 'updated_at' = to_jsonb(r) - 'updated_at')"""
                .formatted(live.apply("subscription_plans"))).update();
        if (lost + licenses + plans > 0) {
            log.warn("The licensing rebuild corrects {} licenses (or their bindings) and {} plans; {} bindings were "
                    + "missing", licenses, plans, lost);
        }
    }
}
