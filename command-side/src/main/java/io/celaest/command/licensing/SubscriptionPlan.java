package io.celaest.command.licensing;

import io.celaest.api.licensing.*;
import io.celaest.api.platform.RuleViolation;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.modelling.command.AggregateIdentifier;
import org.axonframework.spring.stereotype.Aggregate;

import java.math.BigDecimal;

import static org.axonframework.modelling.command.AggregateLifecycle.apply;

/** A plan of the catalogue ({@code subscription_plans}), identified by its code. */
@Aggregate
public class SubscriptionPlan {

    @AggregateIdentifier
    private String code;
    private String name;
    private BillingCycle billingCycle;
    private BigDecimal price;
    private String currency;
    private PlanLimits limits;

    protected SubscriptionPlan() {
        // for Axon
    }

    @CommandHandler
    public SubscriptionPlan(CreatePlan command) {
        apply(new PlanCreated(command.code(), command.name(), command.billingCycle(), command.price(),
                command.currency(), command.limits()));
    }

    @CommandHandler
    public void handle(UpdatePlan command) {
        PlanUpdated updated = new PlanUpdated(code,
                command.name() != null ? command.name() : name,
                command.billingCycle() != null ? command.billingCycle() : billingCycle,
                command.price() != null ? command.price() : price,
                command.currency() != null ? command.currency() : currency,
                command.limits() != null ? command.limits().applyTo(limits) : limits);
        if (updated.equals(new PlanUpdated(code, name, billingCycle, price, currency, limits))) {
            throw RuleViolation.conflict("UNCHANGED", "The plan already has these values");
        }
        apply(updated);
    }

    @EventSourcingHandler
    void on(PlanCreated event) {
        code = event.code();
        name = event.name();
        billingCycle = event.billingCycle();
        price = event.price();
        currency = event.currency();
        limits = event.limits();
    }

    @EventSourcingHandler
    void on(PlanUpdated event) {
        name = event.name();
        billingCycle = event.billingCycle();
        price = event.price();
        currency = event.currency();
        limits = event.limits();
    }
}
