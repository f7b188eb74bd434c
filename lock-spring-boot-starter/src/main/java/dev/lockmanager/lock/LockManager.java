package dev.lockmanager.lock;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * Takes leases on keys in a shared store so that code guarded by a {@link Lease} does not run in two processes at
 * once for the same key while the lease is valid.
 * <p>
 * A lease is not a mutex: exclusivity holds only while the lease is valid, the store keeps the write, and the holder
 * is not paused for longer than its remaining time. Loss of a lease is detected and reported, not prevented; pass
 * {@link Lease#fencingToken()} to the resource you protect and let it reject older tokens.
 * <p>
 * The methods taking a plain {@code key} lock that key under the {@linkplain LockRequest#DEFAULT_NAME default name},
 * with renewal as configured. Use {@link LockRequest} to choose the name or to turn renewal off.
 * <p>
 * Arguments are validated before the store is contacted: a {@code null} or blank key, a {@code null}, zero or
 * negative ttl, a negative wait time, or a value above the configured maximum throws {@link IllegalArgumentException}.
 */
public interface LockManager {

	/**
	 * Acquires a lease, waiting up to {@code waitTime} while another holder has it.
	 * @param key what to lock
	 * @param ttl how long the lease is valid without renewal
	 * @param waitTime how long to wait for the current holder; {@link Duration#ZERO} tries once
	 * @return the held lease; release it (or close it) when done
	 * @throws LockNotAcquiredException when the lease could not be acquired within {@code waitTime}
	 * @throws LockBackendUnavailableException when the store could not be reached
	 */
	default Lease acquire(String key, Duration ttl, Duration waitTime) {
		return acquire(LockRequest.of(key, ttl).withWaitTime(waitTime));
	}

	/**
	 * Acquires a lease as the request describes, waiting up to its {@linkplain LockRequest#waitTime() wait time}.
	 * @param request what to lock and how
	 * @return the held lease; release it (or close it) when done
	 * @throws LockNotAcquiredException when the lease could not be acquired in time
	 * @throws LockBackendUnavailableException when the store could not be reached
	 */
	Lease acquire(LockRequest request);

	/**
	 * Tries once to acquire a lease, without waiting.
	 * @param key what to lock
	 * @param ttl how long the lease is valid without renewal
	 * @return the lease, or empty when another holder has the key
	 * @throws LockBackendUnavailableException when the store could not be reached (never reported as empty)
	 */
	default Optional<Lease> tryAcquire(String key, Duration ttl) {
		return tryAcquire(LockRequest.of(key, ttl));
	}

	/**
	 * Tries once to acquire a lease as the request describes, ignoring its wait time.
	 * @param request what to lock and how
	 * @return the lease, or empty when another holder has the key
	 * @throws LockBackendUnavailableException when the store could not be reached (never reported as empty)
	 */
	Optional<Lease> tryAcquire(LockRequest request);

	/**
	 * Runs {@code work} while holding a lease on {@code key}, then releases it.
	 * @param key what to lock
	 * @param ttl how long the lease is valid without renewal (renewed while the work runs, if renewal is enabled)
	 * @param waitTime how long to wait for the current holder
	 * @param work the guarded work
	 * @param <T> the work's result type
	 * @return what {@code work} returned
	 * @throws LockNotAcquiredException when the lease could not be acquired in time; {@code work} did not run
	 * @throws LeaseLostException after {@code work} finished, when the lease was lost while it ran; an exception
	 * thrown by {@code work} is attached as suppressed
	 * @throws Exception whatever {@code work} threw, unchanged, when the lease was held throughout
	 */
	default <T> T executeLocked(String key, Duration ttl, Duration waitTime, Callable<T> work) throws Exception {
		return executeLocked(LockRequest.of(key, ttl).withWaitTime(waitTime), work);
	}

	/**
	 * Runs {@code work} while holding a lease as the request describes, then releases it.
	 * @param request what to lock and how
	 * @param work the guarded work
	 * @param <T> the work's result type
	 * @return what {@code work} returned
	 * @throws LockNotAcquiredException when the lease could not be acquired in time; {@code work} did not run
	 * @throws LeaseLostException after {@code work} finished, when the lease was lost while it ran; an exception
	 * thrown by {@code work} is attached as suppressed
	 * @throws Exception whatever {@code work} threw, unchanged, when the lease was held throughout
	 */
	default <T> T executeLocked(LockRequest request, Callable<T> work) throws Exception {
		T result;
		Lease lease = acquire(request);
		try {
			result = work.call();
		}
		catch (Throwable ex) {
			try {
				lease.release();
			}
			catch (LeaseLostException lost) {
				lost.addSuppressed(ex);
				throw lost;
			}
			throw ex;
		}
		lease.release();
		return result;
	}

}
