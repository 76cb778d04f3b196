package io.celaest.server.platform.security;

import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Runs what a node-local event handler must do only once its event is durable. Under group commit a command's unit
 * of work commits inside a batch transaction shared with other commands, and a command that fails later is rolled
 * back to its savepoint while the batch commits: so this waits for the command's own unit of work to commit, then
 * for the transaction around it. Without either, it runs at once.
 */
final class OnceDurable {

    private OnceDurable() {
    }

    static void run(Runnable action) {
        Runnable afterTransaction = () -> {
            if (TransactionSynchronizationManager.isSynchronizationActive()) {
                TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                    @Override
                    public void afterCommit() {
                        action.run();
                    }
                });
            } else {
                action.run();
            }
        };
        if (CurrentUnitOfWork.isStarted()) {
            CurrentUnitOfWork.get().root().afterCommit(unitOfWork -> afterTransaction.run());
        } else {
            afterTransaction.run();
        }
    }
}
