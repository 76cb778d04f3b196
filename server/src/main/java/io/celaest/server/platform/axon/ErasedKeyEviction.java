package io.celaest.server.platform.axon;

import io.celaest.api.identity.ApiKeyErased;
import io.celaest.api.identity.UserErased;
import io.celaest.api.licensing.LicenseErased;
import io.celaest.projections.platform.PersonalDataVault;
import io.celaest.server.platform.security.ApiKeyAuthenticator;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;
import org.springframework.stereotype.Component;

import java.util.UUID;

/** Forgets an erased subject's (a person's, an API key's, a license's) cached key on this node at once. */
@Component
@ProcessingGroup(ApiKeyAuthenticator.LOCAL_CACHES)
class ErasedKeyEviction {

    private final PersonalDataVault vault;

    ErasedKeyEviction(PersonalDataVault vault) {
        this.vault = vault;
    }

    @EventHandler
    void on(UserErased event) {
        forget(event.userId());
    }

    @EventHandler
    void on(ApiKeyErased event) {
        forget(event.keyId());
    }

    @EventHandler
    void on(LicenseErased event) {
        forget(event.licenseId());
    }

    private void forget(UUID subject) {
        vault.forget(subject);
        // and again once the destroyed key is committed, in case a reader cached it in between
        if (CurrentUnitOfWork.isStarted()) {
            CurrentUnitOfWork.get().afterCommit(unitOfWork -> vault.forget(subject));
        }
    }
}
