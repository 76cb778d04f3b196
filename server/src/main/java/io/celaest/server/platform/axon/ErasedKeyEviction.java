package io.celaest.server.platform.axon;

import io.celaest.api.identity.UserErased;
import io.celaest.projections.platform.PersonalDataVault;
import io.celaest.server.platform.security.ApiKeyAuthenticator;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;
import org.springframework.stereotype.Component;

/** Forgets an erased person's cached key on this node at once. */
@Component
@ProcessingGroup(ApiKeyAuthenticator.LOCAL_CACHES)
class ErasedKeyEviction {

    private final PersonalDataVault vault;

    ErasedKeyEviction(PersonalDataVault vault) {
        this.vault = vault;
    }

    @EventHandler
    void on(UserErased event) {
        vault.forget(event.userId());
        // and again once the destroyed key is committed, in case a reader cached it in between
        if (CurrentUnitOfWork.isStarted()) {
            CurrentUnitOfWork.get().afterCommit(unitOfWork -> vault.forget(event.userId()));
        }
    }
}
