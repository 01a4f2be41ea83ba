// The accounts a local stack seeds, printed on `npm start`'s banner. Emulator only: the admin
// API refuses to seed anywhere else.
export interface DemoUser {
  email: string;
  password: string;
  displayName: string;
  role: 'admin' | 'member';
}

export const DEMO_USERS: readonly DemoUser[] = [
  {
    email: 'admin@colonycraft.test',
    password: 'colonycraft-admin',
    displayName: 'Demo Admin',
    role: 'admin',
  },
  {
    email: 'member@colonycraft.test',
    password: 'colonycraft-member',
    displayName: 'Demo Member',
    role: 'member',
  },
];
