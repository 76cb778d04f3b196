package io.celaest.command.identity;

import io.celaest.api.identity.CreatePlatformApiKey;
import io.celaest.api.identity.PlatformApiKeyCreated;
import io.celaest.api.identity.PlatformApiKeyRevoked;
import io.celaest.api.identity.RevokePlatformApiKey;
import io.celaest.api.platform.RuleViolation;
import io.celaest.api.platform.Scopes;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.modelling.command.AggregateIdentifier;
import org.axonframework.spring.stereotype.Aggregate;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

import static org.axonframework.modelling.command.AggregateLifecycle.apply;

/** A platform API key: belongs to no organization, so it may only hold read-only scopes. */
@Aggregate(commandTargetResolver = "cachedCommandTargetResolver")
public class PlatformApiKey {

    @AggregateIdentifier
    private UUID keyId;
    private boolean revoked;

    protected PlatformApiKey() {
        // for Axon
    }

    @CommandHandler
    public PlatformApiKey(CreatePlatformApiKey command, ApiKeyCredentialStore credentials) {
        Set<String> notAllowed = new HashSet<>(command.scopes());
        notAllowed.removeAll(Scopes.PLATFORM_KEY_SCOPES);
        if (command.scopes().isEmpty() || !notAllowed.isEmpty()) {
            throw RuleViolation.unprocessable("SCOPE_NOT_ALLOWED", "A platform key sees every tenant, so it may only "
                    + "hold read-only scopes " + Scopes.PLATFORM_KEY_SCOPES + "; not " + notAllowed);
        }
        credentials.store(command.keyHash(), command.keyId(), null, command.scopes(), command.expiresAt());
        apply(new PlatformApiKeyCreated(command.keyId(), command.name(), command.keyPrefix(),
                Set.copyOf(command.scopes()), command.expiresAt()));
    }

    @CommandHandler
    public void handle(RevokePlatformApiKey command, ApiKeyCredentialStore credentials) {
        if (revoked) {
            throw RuleViolation.conflict("API_KEY_REVOKED", "The API key is already revoked");
        }
        credentials.revoke(keyId);
        apply(new PlatformApiKeyRevoked(keyId));
    }

    @EventSourcingHandler
    void on(PlatformApiKeyCreated event) {
        keyId = event.keyId();
    }

    @EventSourcingHandler
    void on(PlatformApiKeyRevoked event) {
        revoked = true;
    }
}
