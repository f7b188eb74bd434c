package dev.lockmanager.lock.aop;

import java.util.Iterator;

import org.springframework.transaction.ConfigurableTransactionManager;
import org.springframework.transaction.TransactionExecution;
import org.springframework.transaction.TransactionExecutionListener;

import dev.lockmanager.lock.Lease;

/**
 * Rolls back a transaction that is about to commit inside a {@code @DistributedLock} method whose lease was lost.
 * This covers the default arrangement, where the lock advice runs outside the transaction advice (a transaction
 * begun inside the locked method cannot see the lock otherwise). Register it on transaction managers with
 * {@link ConfigurableTransactionManager#addListener}; the auto-configuration does.
 */
public final class LeaseCommitGuard implements TransactionExecutionListener {

	@Override
	public void beforeCommit(TransactionExecution transaction) {
		for (Iterator<Lease> leases = LeaseStack.leases(); leases.hasNext();) {
			Lease lease = leases.next();
			if (!lease.isHeld()) {
				throw TransactionLeases.lostBeforeCommit(lease);
			}
		}
	}

}
