package io.celaest.command.licensing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import io.celaest.api.licensing.PlanCreated;
import io.celaest.api.licensing.PlanLimits;
import io.celaest.api.licensing.PlanUpdated;
import io.celaest.api.platform.RuleViolation;
import io.celaest.command.platform.RequestPathCaches;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.Optional;

/**
 * The limits of each plan, as the write side needs them. {@code subscription_plans} is written in the same
 * transaction as the plan's events, so it is never behind; this node's copy drops an entry when this node changes
 * a plan, and other nodes' copies within seconds.
 */
@Component
@ProcessingGroup("local-caches")
public class PlanCatalog {

    private final JdbcClient jdbc;
    private final ObjectMapper json;
    private final Cache<String, Optional<PlanLimits>> limits = RequestPathCaches.newBuilder()
            .expireAfterWrite(Duration.ofSeconds(5)).maximumSize(10_000).build();

    public PlanCatalog(JdbcClient jdbc, ObjectMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    public Optional<PlanLimits> limits(String planCode) {
        return limits.get(planCode, code -> jdbc.sql("SELECT limits FROM subscription_plans WHERE code = ?")
                .param(code)
                .query(String.class)
                .optional()
                .map(this::parse));
    }

    public PlanLimits require(String planCode) {
        return limits(planCode).orElseThrow(() -> RuleViolation.unprocessable("PLAN_NOT_FOUND",
                "No plan with code '" + planCode + "'"));
    }

    public boolean exists(String planCode) {
        return limits(planCode).isPresent();
    }

    @EventHandler
    void on(PlanCreated event) {
        limits.invalidate(event.code());
    }

    @EventHandler
    void on(PlanUpdated event) {
        limits.invalidate(event.code());
    }

    private PlanLimits parse(String text) {
        try {
            return json.readValue(text, PlanLimits.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("subscription_plans.limits is not valid", e);
        }
    }
}
