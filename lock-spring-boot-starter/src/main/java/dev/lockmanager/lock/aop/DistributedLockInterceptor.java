package dev.lockmanager.lock.aop;

import java.util.function.Supplier;

import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.aop.support.AopUtils;

import dev.lockmanager.lock.DistributedLock;
import dev.lockmanager.lock.Lease;
import dev.lockmanager.lock.LeaseLostException;
import dev.lockmanager.lock.LockBackendUnavailableException;
import dev.lockmanager.lock.LockManager;
import dev.lockmanager.lock.LockNotAcquiredException;
import dev.lockmanager.lock.OnFailure;

/**
 * Runs a {@link DistributedLock} method while holding its lease: takes the cached operation, evaluates the key,
 * reuses a lease already held on the call chain for the same name and key, or acquires one through the
 * {@link LockManager}; releases it when the method returns, or when the surrounding transaction completes.
 */
final class DistributedLockInterceptor implements MethodInterceptor {

	private static final Log logger = LogFactory.getLog(DistributedLockInterceptor.class);

	private final LockOperationSource operations;

	private final LockKeyExpressions expressions;

	private final Supplier<LockManager> lockManager;

	DistributedLockInterceptor(LockOperationSource operations, LockKeyExpressions expressions,
			Supplier<LockManager> lockManager) {
		this.operations = operations;
		this.expressions = expressions;
		this.lockManager = lockManager;
	}

	@Override
	public Object invoke(MethodInvocation invocation) throws Throwable {
		LockOperation operation = this.operations.operation(invocation.getMethod(),
				AopUtils.getTargetClass(invocation.getThis()));
		if (operation == null) {
			return invocation.proceed();
		}
		String key = (operation.key() != null) ? this.expressions.evaluate(operation, invocation.getArguments())
				: DistributedLock.NO_KEY;
		Lease held = LeaseStack.find(operation.name(), key);
		if (held != null) {
			return proceedWithin(held, operation, key, invocation);
		}
		Lease lease;
		try {
			lease = this.lockManager.get().acquire(operation.request(key));
		}
		catch (LockBackendUnavailableException ex) {
			throw ex;
		}
		catch (LockNotAcquiredException ex) {
			if (operation.onFailure() == OnFailure.SKIP) {
				if (logger.isDebugEnabled()) {
					logger.debug("Skipped " + operation.description() + ": " + ex.getMessage());
				}
				return operation.skipped().get();
			}
			throw ex;
		}
		boolean releaseWithTransaction = TransactionLeases.releaseAfterCompletion(lease);
		LeaseStack.push(operation.name(), key, lease);
		Object result;
		try {
			result = invocation.proceed();
		}
		catch (Throwable ex) {
			LeaseStack.pop();
			if (!releaseWithTransaction) {
				releaseAfterFailure(lease, ex);
			}
			throw ex;
		}
		LeaseStack.pop();
		if (!releaseWithTransaction) {
			lease.release();
		}
		return result;
	}

	/** A nested call on the same name and key reuses the lease of the enclosing call. */
	private static Object proceedWithin(Lease held, LockOperation operation, String key, MethodInvocation invocation)
			throws Throwable {
		if (!held.isHeld()) {
			throw new LeaseLostException(operation.name(), key, held.fencingToken(), "The lease on key '" + key
					+ "' (name '" + operation.name() + "') held by the enclosing call was lost before "
					+ operation.description() + " started");
		}
		LeaseStack.push(operation.name(), key, held);
		try {
			return invocation.proceed();
		}
		finally {
			LeaseStack.pop();
		}
	}

	private static void releaseAfterFailure(Lease lease, Throwable failure) {
		try {
			lease.release();
		}
		catch (LeaseLostException lost) {
			if (failure instanceof LeaseLostException alreadyReported && sameLease(alreadyReported, lease)) {
				return; // for example a rollback caused by this loss: the caller learns of it once
			}
			lost.addSuppressed(failure);
			throw lost;
		}
	}

	private static boolean sameLease(LeaseLostException lost, Lease lease) {
		return lost.getFencingToken() == lease.fencingToken() && lost.getKey().equals(lease.key())
				&& lost.getName().equals(lease.name());
	}

}
