-- Runs once at image build, inside `mariadbd --bootstrap` (which starts with grant tables
-- off: FLUSH PRIVILEGES loads them so accounts can be created).
FLUSH PRIVILEGES;
-- The account every client cell logs in as. Test credentials, not a secret.
CREATE USER 'harness'@'%' IDENTIFIED BY 'harness-password';
GRANT ALL PRIVILEGES ON *.* TO 'harness'@'%' WITH GRANT OPTION;
