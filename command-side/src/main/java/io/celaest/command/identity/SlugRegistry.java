package io.celaest.command.identity;

import io.celaest.api.platform.RuleViolation;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.util.UUID;

/**
 * Global slug uniqueness: a row in {@code organization_slugs} written in the same transaction as the
 * OrganizationCreated event, so of N concurrent creations of one slug exactly one commits. A deletion is marked
 * there too, with the OrganizationDeleted event: licensing asks it whether an organization still exists.
 */
@Component
public class SlugRegistry {

    private final JdbcClient jdbc;

    public SlugRegistry(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public void reserve(String slug, UUID organizationId) {
        try {
            jdbc.sql("INSERT INTO organization_slugs (slug, organization_id) VALUES (?, ?)")
                    .params(slug, organizationId)
                    .update();
        } catch (DuplicateKeyException e) {
            throw RuleViolation.conflict("SLUG_TAKEN", "The slug '" + slug + "' is already taken");
        }
    }

    public void markDeleted(UUID organizationId) {
        jdbc.sql("UPDATE organization_slugs SET deleted_at = now() WHERE organization_id = ? AND deleted_at IS NULL")
                .param(organizationId)
                .update();
    }
}
