package io.celaest.command.licensing;

import io.celaest.api.licensing.RemoveBinding;
import io.celaest.api.platform.RuleViolation;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Releases bindings unused for their plan's {@code bindingTtlDays}, so a customer who reinstalls is not locked out
 * by devices that are gone. Each release is a BindingRemoved event (inactive = true) on the license. Runs as a
 * recurring db-scheduler task: one node at a time, and a missed run happens after a restart.
 */
@Component
public class StaleBindingSweeper {

    private static final Logger log = LoggerFactory.getLogger(StaleBindingSweeper.class);

    private final JdbcClient jdbc;
    private final CommandGateway commands;
    private final LicenseDirectory directory;

    public StaleBindingSweeper(JdbcClient jdbc, CommandGateway commands, LicenseDirectory directory) {
        this.jdbc = jdbc;
        this.commands = commands;
        this.directory = directory;
    }

    record Stale(UUID licenseId, UUID bindingId) {
    }

    /** Returns how many bindings were released. */
    public int sweep(Instant now) {
        List<Stale> stale = jdbc.sql("""
                        SELECT b.license_id, b.id
                          FROM license_ip_bindings b
                          JOIN licenses l ON l.id = b.license_id
                          JOIN subscription_plans p ON p.code = l.plan_code
                         WHERE b.last_used_at < ?::timestamptz - make_interval(days =>
                               coalesce((l.custom_limits ->> 'bindingTtlDays')::int, (p.limits ->> 'bindingTtlDays')::int))
                         LIMIT 10000""")
                .param(java.sql.Timestamp.from(now))
                .query((rs, n) -> new Stale(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class)))
                .list();
        int released = 0;
        for (Stale binding : stale) {
            try {
                commands.sendAndWait(new RemoveBinding(binding.licenseId(), binding.bindingId(), true));
                directory.invalidate(binding.licenseId());
                released++;
            } catch (RuleViolation gone) {
                // removed meanwhile
            }
        }
        if (released > 0) {
            log.info("Released {} license bindings unused for their plan's TTL", released);
        }
        return released;
    }
}
