package io.celaest.server.platform;

import io.celaest.server.support.Fixtures;
import io.celaest.server.support.PlatformTest;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tenant isolation in the database itself: every tenant-owned read table has RLS enabled and forced, the
 * reader role is not the owner, and a query without tenant context sees nothing, even for a superuser
 * that switches to the reader role as the application does.
 */
class RowLevelSecurityTest extends PlatformTest {

    private static final List<String> TENANT_TABLES = List.of("organizations", "users_profile", "api_keys");

    @Test
    void tenantTablesHaveForcedRowLevelSecurityAndANonOwnerReader() throws SQLException {
        try (Connection c = database.connect(); Statement s = c.createStatement()) {
            for (String table : TENANT_TABLES) {
                ResultSet rs = s.executeQuery("""
                        SELECT c.relrowsecurity, c.relforcerowsecurity, pg_get_userbyid(c.relowner) AS owner
                        FROM pg_class c WHERE c.relname = '%s'""".formatted(table));
                assertThat(rs.next()).as(table).isTrue();
                assertThat(rs.getBoolean(1)).as(table + " RLS enabled").isTrue();
                assertThat(rs.getBoolean(2)).as(table + " RLS forced").isTrue();
                assertThat(rs.getString(3)).as(table + " owner").isNotEqualTo("celaest_reader");
                ResultSet column = c.createStatement().executeQuery("""
                        SELECT 1 FROM information_schema.columns WHERE table_name = '%s' AND column_name = 'organization_id'"""
                        .formatted(table));
                assertThat(column.next()).as(table + " has organization_id").isTrue();
            }
        }
    }

    @Test
    void withoutTenantContextTheReaderSeesNoRowsEvenAsSuperuser() throws SQLException {
        Fixtures.Tenant tenant = Fixtures.tenant(api(), "starter");
        asAdmin("POST", "/api/v1/organizations/" + tenant.id() + "/users",
                Map.of("email", "rls@x.io", "name", "Rls", "role", "member"));
        asAdmin("GET", "/api/v1/organizations/" + tenant.id() + "/users", null);

        for (Connection c : List.of(database.connect(), database.connectAsSuperuser())) {
            try (c; Statement s = c.createStatement()) {
                assertThat(count(s, "SELECT count(*) FROM organizations")).as("the writer sees rows").isPositive();
                c.setAutoCommit(false);
                s.execute("SET LOCAL ROLE celaest_reader");
                for (String table : TENANT_TABLES) {
                    assertThat(count(s, "SELECT count(*) FROM " + table)).as(table + " without tenant").isZero();
                }
                s.execute("SELECT set_config('celaest.organization_id', '" + tenant.id() + "', true)");
                assertThat(count(s, "SELECT count(*) FROM organizations")).isEqualTo(1);
                assertThat(count(s, "SELECT count(*) FROM users_profile")).isEqualTo(1);
                assertThat(count(s, "SELECT count(*) FROM users_profile WHERE organization_id <> '" + tenant.id() + "'"))
                        .isZero();
                c.rollback();
            }
        }
    }

    @Test
    void theReaderCannotWrite() throws SQLException {
        try (Connection c = database.connect(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.execute("SET LOCAL ROLE celaest_reader");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> s.execute("DELETE FROM organizations"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("permission denied");
            c.rollback();
        }
    }

    private static long count(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
