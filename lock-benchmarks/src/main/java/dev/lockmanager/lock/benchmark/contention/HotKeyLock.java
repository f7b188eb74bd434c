package dev.lockmanager.lock.benchmark.contention;

import java.time.Duration;
import java.util.Optional;

/**
 * One "application instance" of a lock library, locking the benchmark's one hot key: its own client or connection
 * factory, shared by the instance's threads as an application shares its bean. Closing it closes that client.
 */
interface HotKeyLock extends AutoCloseable {

	/** How long a lease is valid; it never expires in this benchmark, whose critical sections are short. */
	Duration TTL = Duration.ofSeconds(30);

	/**
	 * Acquires the hot key, waiting up to {@code waitTime} for the current holder.
	 * @return the held lock, or empty when the wait time passed first
	 */
	Optional<Held> acquire(Duration waitTime) throws InterruptedException;

	@Override
	void close();

	/** The hot key while held. */
	interface Held {

		/** Gives the key back; a library that finds it no longer held must throw, not return quietly. */
		void release();

		/** The fencing token of this holder, for the libraries that issue one; 0 for the others. */
		default long fencingToken() {
			return 0;
		}

	}

}
