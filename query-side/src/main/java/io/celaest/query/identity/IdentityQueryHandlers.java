package io.celaest.query.identity;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.celaest.api.identity.*;
import io.celaest.api.platform.PageRequest;
import io.celaest.projections.platform.KeysetPages;
import io.celaest.projections.platform.TenantReads;
import org.axonframework.queryhandling.QueryHandler;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Reads of the Identity read models. Every query runs through {@link TenantReads}, so row-level security
 * restricts it to what the caller may see; a foreign organization simply has no rows.
 */
@Component
public class IdentityQueryHandlers {

    private static final TypeReference<Map<String, Object>> JSON_OBJECT = new TypeReference<>() {
    };

    private final TenantReads reads;
    private final ObjectMapper json;

    public IdentityQueryHandlers(TenantReads reads, ObjectMapper json) {
        this.reads = reads;
        this.json = json;
    }

    @QueryHandler
    public Optional<OrganizationView> handle(FindOrganization query) {
        return reads.read(query.caller(), jdbc -> jdbc
                .sql("SELECT * FROM organizations WHERE id = ? AND deleted_at IS NULL")
                .param(query.organizationId())
                .query(this::organization)
                .optional());
    }

    @QueryHandler
    public OrganizationPage handle(ListOrganizations query) {
        return reads.read(query.caller(), jdbc -> page(OrganizationPage::new, jdbc,
                "SELECT * FROM organizations WHERE deleted_at IS NULL", null, query.page(), this::organization,
                OrganizationView::createdAt, OrganizationView::id));
    }

    @QueryHandler
    public UserPage handle(ListUsers query) {
        return reads.read(query.caller(), jdbc -> page(UserPage::new, jdbc,
                "SELECT * FROM users_profile WHERE organization_id = ?", query.organizationId(), query.page(),
                UserQueries::user, UserView::createdAt, UserView::id));
    }

    @QueryHandler
    public ApiKeyPage handle(ListApiKeys query) {
        return reads.read(query.caller(), jdbc -> page(ApiKeyPage::new, jdbc,
                "SELECT * FROM api_keys WHERE organization_id = ?", query.organizationId(), query.page(),
                UserQueries::apiKey, ApiKeyView::createdAt, ApiKeyView::id));
    }

    @QueryHandler
    public ApiKeyPage handle(ListPlatformApiKeys query) {
        return reads.read(query.caller(), jdbc -> page(ApiKeyPage::new, jdbc,
                "SELECT * FROM api_keys WHERE organization_id IS NULL", null, query.page(),
                UserQueries::apiKey, ApiKeyView::createdAt, ApiKeyView::id));
    }

    private static <T, P> P page(java.util.function.BiFunction<List<T>, String, P> pageOf, JdbcClient jdbc,
                                 String select, UUID organizationId, PageRequest page, RowMapper<T> mapper,
                                 java.util.function.Function<T, Instant> createdAt,
                                 java.util.function.Function<T, UUID> id) {
        return KeysetPages.page(pageOf, jdbc, select, organizationId == null ? List.of() : List.of(organizationId),
                "created_at", false, page, mapper, createdAt, id);
    }

    private OrganizationView organization(ResultSet rs, int row) throws SQLException {
        return new OrganizationView(rs.getObject("id", UUID.class), rs.getString("name"), rs.getString("slug"),
                rs.getString("plan"), rs.getString("status"), rs.getInt("max_users"),
                rs.getLong("max_api_calls_per_month"), rs.getInt("active_users"), settings(rs.getString("settings")),
                rs.getBoolean("onboarding_completed"), rs.getString("suspension_reason"),
                UserQueries.instant(rs, "created_at"), UserQueries.instant(rs, "updated_at"));
    }

    private Map<String, Object> settings(String text) {
        try {
            return json.readValue(text, JSON_OBJECT);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Row mappers shared by the user and API key listings. */
    static final class UserQueries {
        private UserQueries() {
        }

        static UserView user(ResultSet rs, int row) throws SQLException {
            return new UserView(rs.getObject("id", UUID.class), rs.getObject("organization_id", UUID.class),
                    rs.getString("email"), rs.getString("full_name"), rs.getString("role"), strings(rs, "scopes"),
                    rs.getBoolean("is_active"), instant(rs, "created_at"), instant(rs, "updated_at"),
                    instant(rs, "deactivated_at"));
        }

        static ApiKeyView apiKey(ResultSet rs, int row) throws SQLException {
            return new ApiKeyView(rs.getObject("id", UUID.class), rs.getObject("organization_id", UUID.class),
                    rs.getString("name"), rs.getString("prefix"), strings(rs, "scopes"), instant(rs, "expires_at"),
                    instant(rs, "created_at"), instant(rs, "last_used_at"), instant(rs, "revoked_at"));
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
}
