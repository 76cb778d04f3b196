package io.celaest.command.licensing;

import io.celaest.api.licensing.BillingCycle;
import io.celaest.api.licensing.CollisionPolicy;
import io.celaest.api.licensing.CreatePlan;
import io.celaest.api.licensing.PlanLimits;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

import java.math.BigDecimal;
import java.util.List;

/**
 * The seed document's plans (Starter, Professional, Enterprise) exist after the first start. Creating a plan is
 * an event like any other; a plan that exists (another node seeded it, or the operator changed it) is left alone.
 */
@Component
public class PlanSeeder implements ApplicationRunner {

    static final List<CreatePlan> SEED = List.of(
            new CreatePlan("starter", "Starter", BillingCycle.MONTHLY, new BigDecimal("29.00"), "USD",
                    new PlanLimits(5, 1_000, 10, 3, 2, CollisionPolicy.BLOCK, 30)),
            new CreatePlan("professional", "Professional", BillingCycle.MONTHLY, new BigDecimal("99.00"), "USD",
                    new PlanLimits(25, 10_000, 100, 10, 5, CollisionPolicy.FLAG, 30)),
            new CreatePlan("enterprise", "Enterprise", BillingCycle.MONTHLY, new BigDecimal("499.00"), "USD",
                    new PlanLimits(-1, 100_000, 1_000, 100, 50, CollisionPolicy.FLAG, 90)));

    private static final Logger log = LoggerFactory.getLogger(PlanSeeder.class);

    private final CommandGateway commands;
    private final PlanCatalog catalog;

    public PlanSeeder(CommandGateway commands, PlanCatalog catalog) {
        this.commands = commands;
        this.catalog = catalog;
    }

    @Override
    public void run(ApplicationArguments args) {
        for (CreatePlan plan : SEED) {
            if (catalog.exists(plan.code())) {
                continue;
            }
            try {
                commands.sendAndWait(plan);
                log.info("Seeded plan {}", plan.code());
            } catch (RuntimeException e) {
                if (!catalog.exists(plan.code())) {
                    throw e;
                }
                // another node created it at the same moment
            }
        }
    }
}
