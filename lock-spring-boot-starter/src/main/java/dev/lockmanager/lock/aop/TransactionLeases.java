package dev.lockmanager.lock.aop;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import dev.lockmanager.lock.Lease;
import dev.lockmanager.lock.LeaseLostException;

/**
 * Ties a lease taken inside a running transaction to that transaction: it is released only after the transaction
 * completed, and a lease lost before the commit rolls the transaction back.
 */
final class TransactionLeases {

	private static final Log logger = LogFactory.getLog(TransactionLeases.class);

	private TransactionLeases() {
	}

	/**
	 * @return whether a transaction is active and will release the lease when it completes
	 */
	static boolean releaseAfterCompletion(Lease lease) {
		if (!TransactionSynchronizationManager.isSynchronizationActive()) {
			return false;
		}
		TransactionSynchronizationManager.registerSynchronization(new LeaseSynchronization(lease));
		return true;
	}

	static LeaseLostException lostBeforeCommit(Lease lease) {
		return new LeaseLostException(lease.name(), lease.key(), lease.fencingToken(),
				"The lease on key '" + lease.key() + "' (name '" + lease.name() + "', fencing token "
						+ lease.fencingToken() + ") was lost before the transaction committed; rolling back");
	}

	private record LeaseSynchronization(Lease lease) implements TransactionSynchronization {

		@Override
		public void beforeCommit(boolean readOnly) {
			if (!this.lease.isHeld()) {
				throw lostBeforeCommit(this.lease);
			}
		}

		@Override
		public void afterCompletion(int status) {
			try {
				this.lease.release();
			}
			catch (LeaseLostException ex) {
				logger.warn(ex.getMessage());
			}
		}

	}

}
