package io.celaest.projections.platform;

import io.celaest.api.platform.Caller;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

import java.util.function.Function;

/**
 * Runs a read in its own read-only transaction as the non-owner role {@code celaest_reader}, with the
 * caller's tenant set for that transaction only; row-level security then filters every tenant-owned table,
 * whatever the query forgets. Works when the application connects as the tables' owner or a superuser.
 */
@Component
public class TenantReads {

    public static final String READER_ROLE = "celaest_reader";

    private final JdbcClient jdbc;
    private final TransactionTemplate readOnly;

    public TenantReads(JdbcClient jdbc, PlatformTransactionManager transactions) {
        this.jdbc = jdbc;
        this.readOnly = new TransactionTemplate(transactions);
        this.readOnly.setReadOnly(true);
        this.readOnly.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
    }

    public <T> T read(Caller caller, Function<JdbcClient, T> query) {
        return readOnly.execute(status -> {
            jdbc.sql("SET LOCAL ROLE " + READER_ROLE).update();
            jdbc.sql("SELECT set_config('celaest.organization_id', ?, true), set_config('celaest.platform_scope', ?, true)")
                    .params(caller.organizationId() == null ? "" : caller.organizationId().toString(),
                            caller.isPlatformWide() ? "all" : "")
                    .query((rs, n) -> 1).list();
            return query.apply(jdbc);
        });
    }
}
