package dev.lockmanager.lock;

import java.time.Duration;
import java.time.Instant;

/**
 * A time-limited, exclusive claim on a key, obtained from {@link LockManager}.
 * <p>
 * Ownership belongs to the lease, not to a thread: a lease may be renewed and released from any thread. Releasing
 * is idempotent, and {@link #close()} releases, so a lease fits try-with-resources.
 * <p>
 * Guarantees: while {@link #isHeld()} is {@code true}, no other lease on the same key has been granted by the store
 * (assuming the store did not lose the write, for example in a failover). A lease that expired or was taken away is
 * never extended or deleted by its former holder. Loss is reported by {@link LeaseLostException}, at the latest when
 * the lease is released.
 */
public interface Lease extends AutoCloseable {

	/**
	 * @return the lock's namespace
	 */
	String name();

	/**
	 * @return the locked key within the namespace
	 */
	String key();

	/**
	 * A number that is strictly greater than the token of every earlier lease on the same name and key, across
	 * releases and clients. Pass it to the protected resource and let it reject writes carrying an older token: this
	 * is what keeps a holder that was paused past its lease from doing harm.
	 * @return the fencing token of this lease
	 */
	long fencingToken();

	/**
	 * @return when the store granted the lease, by this process's wall clock (for display; validity is tracked on the
	 * monotonic clock)
	 */
	Instant acquiredAt();

	/**
	 * A conservative local estimate, measured from before the last acquire or renewal was sent.
	 * @return how long the lease is still valid, {@link Duration#ZERO} once expired, lost or released
	 */
	Duration remaining();

	/**
	 * @return whether the lease is neither released, nor expired, nor known to be lost
	 */
	boolean isHeld();

	/**
	 * Extends the lease to {@code ttl} from now, if it is still this lease's.
	 * @param ttl the new validity, within the configured maximum
	 * @throws LeaseLostException when the lease had expired, was taken by another holder or was released
	 * @throws LockBackendUnavailableException when the store could not be reached
	 */
	void renew(Duration ttl);

	/**
	 * Releases the lease and stops its renewal; a second call does nothing.
	 * @throws LeaseLostException when the lease had been lost (expired or taken) before it was released, so the
	 * guarded work may have run without exclusivity
	 */
	void release();

	/**
	 * Same as {@link #release()}.
	 */
	@Override
	void close();

}
