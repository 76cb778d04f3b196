package io.celaest.projections.platform;

import io.celaest.api.platform.Caller;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

import java.util.function.Function;

/**
 * Runs a read in its own read-only transaction as a non-owner role: {@code celaest_reader} with the caller's
 * tenant set for that transaction only, so row-level security filters every tenant-owned table whatever the
 * query forgets; or, for platform-wide callers, {@code celaest_platform_reader}. Works when the application connects as the tables' owner or a superuser.
 */
@Component
public class TenantReads {

    public static final String READER_ROLE = "celaest_reader";
    /** Reads of platform-wide callers: its policies let every row of tenant tables through. */
    public static final String PLATFORM_READER_ROLE = "celaest_platform_reader";

    private final JdbcClient jdbc;
    private final TransactionTemplate readOnly;

    public TenantReads(JdbcClient jdbc, PlatformTransactionManager transactions) {
        this.jdbc = jdbc;
        this.readOnly = new TransactionTemplate(transactions);
        this.readOnly.setReadOnly(true);
        this.readOnly.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
    }

    public <T> T read(Caller caller, Function<JdbcClient, T> query) {
        return read(false, caller, query);
    }

    /**
     * As {@link #read}, but every statement of the read sees the same snapshot (REPEATABLE READ; read-only, so it
     * never fails to serialize): for reads of several statements whose later ones use what earlier ones found.
     * Made for the large, append-only audit log, it also prices a random heap page close to a sequential one
     * ({@code random_page_cost = 1.1}, this transaction only; the read models live in memory or on SSD), so the
     * planner walks the filter's own index in log order rather than the whole log or a bitmap plus a sort.
     */
    public <T> T readSnapshot(Caller caller, Function<JdbcClient, T> query) {
        return read(true, caller, query);
    }

    private <T> T read(boolean snapshot, Caller caller, Function<JdbcClient, T> query) {
        return readOnly.execute(status -> {
            // One round trip: the isolation level (before any query of the transaction), the role, the tenant
            // (a UUID's text: hex digits and dashes only, safe as a literal) and custom plans: a plan cached for one
            // tenant's parameters is a bad plan for a tenant of another size.
            jdbc.sql((snapshot ? "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ; " : "")
                    + "SET LOCAL ROLE " + (caller.isPlatformWide() ? PLATFORM_READER_ROLE : READER_ROLE) + "; "
                    + "SET LOCAL celaest.organization_id = '"
                    + (caller.organizationId() == null ? "" : caller.organizationId().toString()) + "'; "
                    + "SET LOCAL plan_cache_mode = force_custom_plan"
                    + (snapshot ? "; SET LOCAL random_page_cost = 1.1" : "")).update();
            return query.apply(jdbc);
        });
    }
}
