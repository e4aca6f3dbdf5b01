-- Where an unsubscription was made (§5.7): `buyer_centre`, a request the seller decides,
-- or `billing_centre`, a non-supervised SaaS or image the buyer unsubscribed at once.
ALTER TABLE mkt_unsubscribe_requests ADD COLUMN channel TEXT NOT NULL DEFAULT 'buyer_centre';
