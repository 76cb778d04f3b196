package io.celaest.projections.platform;

import io.celaest.command.identity.PersonalDataShredder;
import io.celaest.server.support.PlatformTest;
import org.axonframework.messaging.unitofwork.DefaultUnitOfWork;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A personal-data key created by a command is cached on the node once the command and the group commit it joined
 * have committed, and only then: not for a command that failed, not for a subject erased later in the same commit.
 * To see what the node cached, each key row is destroyed afterwards behind the vault's back: only a cached key
 * can still open the value.
 */
class PersonalDataKeyCacheTest extends PlatformTest {

    @Autowired
    PersonalDataVault vault;

    @Autowired
    PersonalDataShredder shredder;

    @Autowired
    PlatformTransactionManager transactions;

    @Test
    void aKeyIsCachedAfterItsCommandAndItsGroupCommitHaveCommittedOnly() {
        UUID kept = UUID.randomUUID();
        UUID erasedInTheSameCommit = UUID.randomUUID();
        UUID ofAFailedCommand = UUID.randomUUID();
        String[] values = new String[3];
        inOneTransaction(() -> {
            command(() -> {
                values[0] = vault.encrypt(kept, "kept@example.com");
                values[1] = vault.encrypt(erasedInTheSameCommit, "erased@example.com");
            });
            assertThatThrownBy(() -> command(() -> {
                values[2] = vault.encrypt(ofAFailedCommand, "failed@example.com");
                throw new IllegalStateException("the command fails after creating the key");
            })).isInstanceOf(IllegalStateException.class);
            command(() -> {                                     // an erasure later in the same group commit
                shredder.destroyKey(erasedInTheSameCommit);
                vault.forget(erasedInTheSameCommit);
            });
        });

        inOneTransaction(() -> {
            shredder.destroyKey(kept);
            shredder.destroyKey(ofAFailedCommand);
        });
        assertThat(vault.decrypt(kept, values[0])).isEqualTo("kept@example.com");
        assertThat(vault.decrypt(erasedInTheSameCommit, values[1])).isEqualTo(PersonalDataVault.ERASED);
        assertThat(vault.decrypt(ofAFailedCommand, values[2])).isEqualTo(PersonalDataVault.ERASED);
    }

    private void inOneTransaction(Runnable work) {
        new TransactionTemplate(transactions).executeWithoutResult(status -> work.run());
    }

    /** A command's unit of work inside the surrounding (group commit's) transaction. */
    private static void command(Runnable handler) {
        DefaultUnitOfWork.startAndGet(null).execute(handler);
    }
}
