// One scenario per mutation, in an order where each may use what the earlier ones made
// (`state`). `screen` names what a front-end has on screen: node IDs, 'viewer', or a root field
// written out ({ field: '...' }). `as` is the demo persona (staff, clinician, parent).

/**
 * Mutations after which a list on screen is stale without a refetch (or a hand-written
 * `update`): the cache cannot know where a new object belongs in a list, or that an object left
 * one. `fields` are the on-screen fields allowed to differ; everything else must still match,
 * and every object the payload returns must be normalised.
 */
export const REFETCH_NEEDED = {
  createCenter: { why: 'a new center belongs in `centers`', fields: ['centers'] },
  createPerson: { why: 'a new person belongs in `people`', fields: ['people'] },
  createGoal: {
    why: "a new goal belongs in its owner's `goals` (and `viewer.goals`)",
    fields: ['viewer.goals', 'goals'],
  },
  register: {
    why: 'a new registration belongs in `viewer.registrations`',
    fields: ['viewer.registrations'],
  },
  createLearningSession: {
    why: 'a new session belongs in `learningSessions`',
    fields: ['learningSessions'],
  },
  requestData: { why: 'a new request belongs in `dataRequests`', fields: ['dataRequests'] },
  startThread: { why: 'a new thread belongs in `threads`', fields: ['threads'] },
  closeGoal: {
    why: "icn-kudos thanks the owner of a goal closed DONE after the mutation has answered, so the goal's `kudosCount` grows later",
    fields: ['kudosCount'],
  },
  giveKudos: { why: 'new kudos belong in `kudos`', fields: ['kudos'] },
  submitProposal: {
    why: "a new proposal belongs in its Learning Session's `proposals`",
    fields: ['proposals'],
  },
  reviewProposal: { why: "a new review belongs in the proposal's `reviews`", fields: ['reviews'] },
  invitePanelist: {
    why: "a new invitation belongs in the proposal's `panelists`",
    fields: ['panelists'],
  },
  adoptCallToAction: {
    why: "a new goal belongs in its center's `goals`, and the adoption in the proposal's `adoptions` (with what the viewer may still adopt)",
    fields: ['adoptions', 'viewerCanAdopt', 'viewerAdoptableCenters', 'goals'],
  },
};

/** Mutations this check does not run, and why; their payloads are still checked for objects. */
export const NOT_RUN = {
  requestSignIn: {
    why: 'answers the same whether the email has an account; changes nothing on screen',
    noObject: true,
  },
  signIn: { why: 'needs the token of a mailed sign-in link' },
  confirmEmailChange: { why: 'needs the token of a mailed email-change link' },
  acceptInvitation: { why: 'needs the token of a mailed invitation link' },
  importVisits: { why: 'a file upload (multipart), outside what HttpLink sends' },
  revokeSession: { why: 'needs a second signed-in session (signIn by a mailed link)' },
};

const day = (offset) => new Date(Date.now() + offset * 86400000).toISOString().slice(0, 10);
const at = (offset, hour) => `${day(offset)}T${String(hour).padStart(2, '0')}:00:00Z`;
const run = `${Date.now()}`;

export const SCENARIOS = [
  // Centers, people, memberships (network staff).
  {
    mutation: 'createCenter',
    as: 'staff',
    screen: () => [{ field: 'centers(first: 100) { totalCount nodes { id name } }' }],
    input: () => ({
      name: `Apollo Check Center ${run}`,
      shortCode: `AP${run.slice(-6)}`,
      city: 'Ann Arbor',
      region: 'MI',
      country: 'US',
      joinedOn: day(-30),
    }),
    after: (s, p) => { s.center = p.center.id; },
  },
  {
    mutation: 'updateCenter',
    as: 'staff',
    screen: (s) => [s.center],
    input: (s) => ({ id: s.center, city: 'Detroit', region: 'Michigan' }),
  },
  {
    mutation: 'createPerson',
    as: 'staff',
    screen: () => [{ field: 'people(first: 100) { totalCount nodes { id displayName } }' }],
    input: () => ({
      displayName: 'Avery Checker',
      email: `avery.checker.${run}@example.org`,
      kind: 'NURSE',
    }),
    after: (s, p) => { s.person = p.person.id; },
  },
  {
    mutation: 'updatePerson',
    as: 'staff',
    screen: (s) => [s.person],
    input: (s) => ({ id: s.person, pronouns: 'they/them', kind: 'QI_LEAD' }),
  },
  {
    mutation: 'addMembership',
    as: 'staff',
    screen: (s) => [s.person, s.center],
    input: (s) => ({ personId: s.person, centerId: s.center, role: 'QI_LEAD' }),
    after: (s, p) => { s.membership = p.membership.id; },
  },
  {
    mutation: 'removeMembership',
    as: 'staff',
    screen: (s) => [s.person, s.center],
    input: (s) => ({ id: s.membership }),
  },
  {
    mutation: 'deactivatePerson',
    as: 'staff',
    screen: (s) => [s.person],
    input: (s) => ({ id: s.person, reason: 'checking the cache' }),
  },
  {
    mutation: 'reactivatePerson',
    as: 'staff',
    screen: (s) => [s.person],
    input: (s) => ({ id: s.person }),
  },
  {
    mutation: 'invitePerson',
    as: 'staff',
    screen: (s) => [s.center],
    input: (s) => ({
      email: `invitee.${run}@example.org`,
      displayName: 'Invited Partner',
      centerId: s.center,
      role: 'PARENT_PARTNER',
    }),
    after: (s, p) => { s.invitation = p.invitation.id; },
  },
  {
    mutation: 'revokeInvitation',
    as: 'staff',
    screen: (s) => [s.invitation, s.center],
    input: (s) => ({ id: s.invitation }),
  },

  // The viewer's own account.
  {
    mutation: 'updateViewer',
    as: 'parent',
    screen: () => ['viewer'],
    input: () => ({ pronouns: 'she/her', timezone: 'America/Chicago', email: `dana.${run}@example.org` }),
  },
  {
    mutation: 'createPersonalAccessToken',
    as: 'clinician',
    screen: () => ['viewer'],
    input: () => ({ name: `cache check ${run}`, readOnly: true }),
    after: (s, p) => { s.pat = p.personalAccessToken.id; },
  },
  {
    mutation: 'revokePersonalAccessToken',
    as: 'clinician',
    screen: () => ['viewer'],
    input: (s) => ({ id: s.pat }),
  },
  { mutation: 'createCalendarFeed', as: 'clinician', screen: () => ['viewer'] },
  { mutation: 'revokeCalendarFeed', as: 'clinician', screen: () => ['viewer'], input: () => ({}) },
  {
    mutation: 'signOutEverywhere',
    as: 'clinician',
    screen: () => ['viewer'],
    input: () => ({}),
  },
  {
    mutation: 'updateNotificationPreferences',
    as: 'clinician',
    screen: () => ['viewer'],
    input: () => ({
      delivery: 'DAILY_DIGEST',
      digestHour: 7,
      quietHoursStart: '21:00',
      quietHoursEnd: '07:00',
    }),
  },
  {
    mutation: 'markNotificationsRead',
    as: 'clinician',
    screen: () => ['viewer'],
    input: () => ({ all: true }),
  },

  // Goals (the clinician's own).
  {
    mutation: 'createGoal',
    as: 'clinician',
    setup: async (s, raw) => {
      s.me = (await raw('clinician', '{ viewer { id } }')).viewer.id;
    },
    screen: () => ['viewer'],
    input: (s) => ({
      ownerId: s.me,
      title: 'Pre-visit planning for every clinic',
      aim: 'Every visit planned the week before',
      startsOn: day(-10),
      keyResults: [{ title: 'Planned visits', startValue: 0, targetValue: 20, unit: 'visits' }],
    }),
    after: (s, p) => {
      s.goal = p.goal.id;
      s.keyResult = p.goal.keyResults[0].id;
    },
  },
  {
    mutation: 'updateGoal',
    as: 'clinician',
    screen: (s) => [s.goal],
    input: (s) => ({ id: s.goal, title: 'Pre-visit planning in every clinic', dueOn: day(90) }),
  },
  {
    mutation: 'addKeyResult',
    as: 'clinician',
    screen: (s) => [s.goal],
    input: (s) => ({ goalId: s.goal, title: 'Clinics planning', startValue: 0, targetValue: 4 }),
  },
  {
    mutation: 'updateKeyResult',
    as: 'clinician',
    screen: (s) => [s.goal, s.keyResult],
    input: (s) => ({ id: s.keyResult, targetValue: 30, title: 'Visits planned ahead' }),
  },
  {
    mutation: 'checkInGoal',
    as: 'clinician',
    screen: (s) => [s.goal, s.keyResult],
    input: (s) => ({
      id: s.goal,
      note: 'Half the clinics plan ahead now',
      status: 'AT_RISK',
      confidence: 4,
      keyResultValues: [{ keyResultId: s.keyResult, value: 12 }],
    }),
  },
  {
    mutation: 'giveKudos',
    as: 'parent',
    screen: (s) => [s.goal, { field: 'kudos(first: 20) { totalCount nodes { message } }' }],
    input: (s) => ({ recipientId: s.me, message: 'Thank you for planning ahead', goalId: s.goal }),
  },
  {
    mutation: 'closeGoal',
    as: 'clinician',
    screen: (s) => [s.goal],
    input: (s) => ({ id: s.goal, outcome: 'DONE', reflection: 'Planning stuck once it was routine' }),
  },
  {
    mutation: 'archiveGoal',
    as: 'clinician',
    screen: (s) => [s.goal],
    input: (s) => ({ id: s.goal }),
  },

  // Learning Sessions, agenda, registrations.
  {
    mutation: 'createLearningSession',
    as: 'staff',
    setup: async (s, raw) => {
      // One session per season and year: the first fall from 2030 nobody has taken.
      const taken = await raw('staff', '{ learningSessions(first: 100) { nodes { season year } } }');
      const falls = new Set(
        taken.learningSessions.nodes.filter((n) => n.season === 'FALL').map((n) => n.year),
      );
      s.year = 2030;
      while (falls.has(s.year)) s.year += 1;
    },
    screen: () => [{ field: 'learningSessions(first: 100) { totalCount nodes { id title } }' }],
    input: (s) => ({
      season: 'FALL',
      year: s.year,
      startsOn: day(60),
      endsOn: day(61),
      venue: 'Columbus',
      timezone: 'America/New_York',
      status: 'REGISTRATION_OPEN',
    }),
    after: (s, p) => { s.session = p.learningSession.id; },
  },
  {
    mutation: 'updateLearningSession',
    as: 'staff',
    screen: (s) => [s.session],
    input: (s) => ({ id: s.session, venue: 'Cincinnati', objectives: ['Share what worked'] }),
  },
  {
    mutation: 'addAgendaItem',
    as: 'staff',
    screen: (s) => [s.session],
    input: (s) => ({
      learningSessionId: s.session,
      title: 'Parent panel',
      kind: 'PANEL',
      startsAt: at(60, 14),
      endsAt: at(60, 15),
    }),
    after: (s, p) => { s.agendaItem = p.agendaItem.id; },
  },
  {
    mutation: 'updateAgendaItem',
    as: 'staff',
    screen: (s) => [s.session, s.agendaItem],
    input: (s) => ({ id: s.agendaItem, room: 'Hall B', startsAt: at(60, 13) }),
  },
  {
    mutation: 'assignToAgendaItem',
    as: 'staff',
    screen: (s) => [s.agendaItem, s.me],
    input: (s) => ({ agendaItemId: s.agendaItem, personId: s.me, part: 'PANELIST' }),
  },
  {
    mutation: 'unassignFromAgendaItem',
    as: 'staff',
    screen: (s) => [s.agendaItem, s.me],
    input: (s) => ({ agendaItemId: s.agendaItem, personId: s.me }),
  },
  {
    mutation: 'register',
    as: 'clinician',
    screen: (s) => [s.session, 'viewer'],
    input: (s) => ({ learningSessionId: s.session }),
    after: (s, p) => { s.registration = p.registration.id; },
  },
  {
    mutation: 'cancelRegistration',
    as: 'clinician',
    screen: (s) => [s.session, 'viewer'],
    input: (s) => ({ id: s.registration }),
  },
  {
    mutation: 'markAttended',
    as: 'staff',
    setup: async (s, raw) => {
      const again = await raw(
        'clinician',
        'mutation($input: RegisterInput!) { register(input: $input) { registration { id } } }',
        { input: { learningSessionId: s.session } },
      );
      s.registration = again.register.registration.id;
      await raw(
        'staff',
        'mutation($input: UpdateLearningSessionInput!) { updateLearningSession(input: $input) { userErrors { message } } }',
        { input: { id: s.session, status: 'IN_PROGRESS' } },
      );
    },
    screen: (s) => [s.registration, s.session],
    input: (s) => ({ id: s.registration }),
  },
  {
    mutation: 'removeAgendaItem',
    as: 'staff',
    screen: (s) => [s.session],
    input: (s) => ({ id: s.agendaItem }),
  },

  // Following.
  {
    mutation: 'follow',
    as: 'parent',
    screen: (s) => [s.session, 'viewer'],
    input: (s) => ({ subjectId: s.session, level: 'WATCHING' }),
  },
  {
    mutation: 'unfollow',
    as: 'parent',
    screen: (s) => [s.session, 'viewer'],
    input: (s) => ({ subjectId: s.session }),
  },

  // Data requests, views and consent: a partner asks, staff propose, the center decides.
  {
    mutation: 'requestData',
    as: 'parent',
    setup: async (s, raw) => {
      s.clinician = (await raw('clinician', '{ viewer { id } }')).viewer.id;
      // The clinician answers for the new center as its QI lead.
      await raw(
        'staff',
        'mutation($input: AddMembershipInput!) { addMembership(input: $input) { userErrors { message } } }',
        { input: { personId: s.clinician, centerId: s.center, role: 'QI_LEAD' } },
      );
    },
    screen: () => [{ field: 'dataRequests(first: 100) { totalCount nodes { id state } }' }],
    input: (s) => dataRequest(s, 'Slides for the spring Learning Session'),
    after: (s, p) => { s.dataRequest = p.dataRequest.id; },
  },
  {
    mutation: 'commentOnDataRequest',
    as: 'parent',
    screen: (s) => [s.dataRequest],
    input: (s) => ({ dataRequestId: s.dataRequest, body: 'Remission by month would be enough.' }),
  },
  {
    mutation: 'proposeDataView',
    as: 'staff',
    screen: (s) => [s.dataRequest],
    input: (s) => dataView(s),
    after: (s, p) => { s.view = p.view.id; },
  },
  {
    mutation: 'rejectDataView',
    as: 'parent',
    screen: (s) => [s.dataRequest, s.view],
    input: (s) => ({ id: s.view, response: 'Could it show the network line too?' }),
  },
  {
    mutation: 'acceptDataView',
    as: 'parent',
    setup: async (s, raw) => {
      const proposed = await raw(
        'staff',
        'mutation($input: ProposeDataViewInput!) { proposeDataView(input: $input) { view { id } } }',
        { input: dataView(s) },
      );
      s.view = proposed.proposeDataView.view.id;
    },
    screen: (s) => [s.dataRequest, s.view],
    input: (s) => ({ id: s.view }),
  },
  {
    mutation: 'decideConsent',
    as: 'clinician',
    screen: (s) => [s.view, s.dataRequest],
    input: (s) => ({ dataViewId: s.view, centerId: s.center, decision: 'CONSENT', expiresOn: day(120) }),
    after: (s, p) => { s.consent = p.consent.id; },
  },
  {
    mutation: 'setStandingConsent',
    as: 'clinician',
    screen: (s) => [s.center],
    input: (s) => ({ centerId: s.center, preference: 'UNNAMED', note: 'Blinded unless we are asked' }),
  },
  {
    mutation: 'publishDataView',
    as: 'staff',
    screen: (s) => [s.view, s.dataRequest],
    input: (s) => ({ id: s.view }),
  },
  {
    mutation: 'createDataViewLink',
    as: 'staff',
    screen: (s) => [s.view],
    input: (s) => ({ dataViewId: s.view }),
    after: (s, p) => { s.link = p.link.id; },
  },
  {
    mutation: 'revokeDataViewLink',
    as: 'staff',
    screen: (s) => [s.view],
    input: (s) => ({ id: s.link }),
  },
  {
    mutation: 'revokeConsent',
    as: 'clinician',
    screen: (s) => [s.view, s.consent],
    input: (s) => ({ id: s.consent, reason: 'The slides changed' }),
  },
  {
    mutation: 'declineDataRequest',
    as: 'staff',
    setup: async (s, raw) => { s.declined = await newRequest(s, raw, 'A poster'); },
    screen: (s) => [s.declined],
    input: (s) => ({ id: s.declined, reason: 'The period is not reported yet' }),
  },
  {
    mutation: 'withdrawDataRequest',
    as: 'parent',
    setup: async (s, raw) => { s.withdrawn = await newRequest(s, raw, 'A newsletter'); },
    screen: (s) => [s.withdrawn],
    input: (s) => ({ id: s.withdrawn, reason: 'Not needed after all' }),
  },

  // Co-design threads (icn-codesign).
  {
    mutation: 'startThread',
    as: 'clinician',
    setup: async (s, raw) => {
      s.home = (await raw('clinician', '{ viewer { centers { id } } }')).viewer.centers[0].id;
      s.staffPerson = (await raw('staff', '{ viewer { id } }')).viewer.id;
    },
    screen: () => [{ field: 'threads(first: 100) { totalCount nodes { id title } }' }],
    input: (s) => ({
      title: 'Parent panel plan',
      audience: 'CENTER',
      centerId: s.home,
      body: 'Who would like to speak on the panel?',
    }),
    after: (s, p) => { s.thread = p.thread.id; },
  },
  {
    mutation: 'postMessage',
    as: 'clinician',
    screen: (s) => [s.thread],
    input: (s) => ({ threadId: s.thread, body: 'I can moderate.' }),
    after: (s, p) => { s.message = p.message.id; },
  },
  {
    mutation: 'editMessage',
    as: 'clinician',
    screen: (s) => [s.thread, s.message],
    input: (s) => ({ id: s.message, body: 'I can moderate the panel.' }),
  },
  {
    mutation: 'inviteToThread',
    as: 'clinician',
    screen: (s) => [s.thread],
    input: (s) => ({ threadId: s.thread, personIds: [s.staffPerson] }),
  },
  {
    mutation: 'markThreadRead',
    as: 'staff',
    screen: (s) => [s.thread],
    input: (s) => ({ id: s.thread }),
  },
  {
    mutation: 'reviseDraft',
    as: 'clinician',
    screen: (s) => [s.thread],
    input: (s) => ({ threadId: s.thread, name: 'panel-plan', body: 'Three parents, one clinician.' }),
    after: (s, p) => {
      s.draft = p.draft.id;
      s.revision = p.revision.id;
    },
  },
  {
    mutation: 'agreeToRevision',
    as: 'parent',
    screen: (s) => [s.revision, s.draft],
    input: (s) => ({ id: s.revision }),
  },
  {
    mutation: 'finaliseDraft',
    as: 'clinician',
    screen: (s) => [s.draft, s.thread],
    input: (s) => ({ id: s.draft }),
  },
  {
    mutation: 'recordDecision',
    as: 'clinician',
    screen: (s) => [s.thread],
    input: (s) => ({ threadId: s.thread, text: 'The panel goes ahead', threadMessageIds: [s.message] }),
  },
  {
    mutation: 'hideMessage',
    as: 'staff',
    screen: (s) => [s.thread, s.message],
    input: (s) => ({ id: s.message, reason: 'Posted twice' }),
  },
  {
    mutation: 'leaveThread',
    as: 'staff',
    screen: (s) => [s.thread],
    input: (s) => ({ id: s.thread }),
  },

  // icn-panels: staff open the call, a parent proposes with a clinician, staff review and
  // decide.
  {
    mutation: 'openCallForProposals',
    as: 'staff',
    screen: (s) => [s.session],
    input: (s) => ({ learningSessionId: s.session, opensAt: at(-1, 9), closesAt: at(30, 9) }),
  },
  {
    mutation: 'grantReviewerRole',
    as: 'staff',
    screen: (s) => [s.session],
    input: (s) => ({ learningSessionId: s.session, personId: s.staffPerson }),
  },
  {
    mutation: 'submitProposal',
    as: 'parent',
    screen: (s) => [s.session],
    input: (s) => ({
      learningSessionId: s.session,
      title: 'Engaging families in QI: a parent panel',
      kind: 'PANEL',
      abstract: 'How centers can better engage families in QI work.',
      personIds: [s.clinician],
    }),
    after: (s, p) => { s.proposal = p.proposal.id; },
  },
  {
    mutation: 'confirmPresenter',
    as: 'clinician',
    screen: (s) => [s.proposal],
    input: (s) => ({ proposalId: s.proposal }),
  },
  {
    mutation: 'reviewProposal',
    as: 'staff',
    screen: (s) => [s.proposal],
    input: (s) => ({ id: s.proposal, score: 4, comment: 'Strong; coach the call to action.' }),
  },
  {
    mutation: 'decideProposal',
    as: 'staff',
    screen: (s) => [s.proposal],
    input: (s) => ({ id: s.proposal, decision: 'ACCEPT_WITH_COACHING', reason: 'Coaching.' }),
  },
  {
    mutation: 'assignStage',
    as: 'staff',
    screen: (s) => [s.proposal],
    input: (s) => ({ proposalId: s.proposal, stage: 'OUTLINE', dueOn: day(20) }),
  },
  {
    mutation: 'advanceStage',
    as: 'staff',
    screen: (s) => [s.proposal],
    input: (s) => ({ proposalId: s.proposal, evidence: 'https://drive.example.org/outline' }),
  },
  {
    mutation: 'scheduleProposal',
    as: 'staff',
    setup: async (s, raw) => {
      // COACHED and PREPPED done: it may go on the agenda.
      for (const evidence of ['coached draft', 'slides']) {
        await raw(
          'staff',
          'mutation($input: AdvanceStageInput!) { advanceStage(input: $input) { userErrors { message } } }',
          { input: { proposalId: s.proposal, evidence } },
        );
      }
    },
    screen: (s) => [s.proposal],
    input: (s) => ({ id: s.proposal, startsAt: at(61, 15), endsAt: at(61, 16), room: 'Hall A' }),
  },
  {
    // icn-panels feedback: a parent answers the survey of a session that has begun (the
    // demo's past ones), rating one of its agenda items.
    mutation: 'answerFeedback',
    as: 'parent',
    setup: async (s, raw) => {
      const found = await raw(
        'parent',
        '{ learningSessions(first: 100) { nodes { id viewerCanAnswerFeedback agenda { id kind } } } }',
      );
      const begun = found.learningSessions.nodes.find((n) => n.viewerCanAnswerFeedback);
      s.begunSession = begun.id;
      s.ratedItem = begun.agenda.find((item) => item.kind !== 'BREAK')?.id;
    },
    screen: (s) => [s.begunSession],
    input: (s) => ({
      learningSessionId: s.begunSession,
      belonging: 4,
      needsMet: 4,
      sharedGoals: 5,
      influence: 3,
      ratings: s.ratedItem ? [{ agendaItemId: s.ratedItem, score: 5 }] : [],
      comment: 'More time with the parent panel, please.',
    }),
  },
  // icn-panels: the parent invites a moderator to their panel, who accepts.
  {
    mutation: 'invitePanelist',
    as: 'parent',
    screen: (s) => [s.proposal],
    input: (s) => ({ proposalId: s.proposal, personId: s.staffPerson, role: 'MODERATOR' }),
    after: (s, p) => { s.panelInvitation = p.invitation.id; },
  },
  {
    mutation: 'respondToInvitation',
    as: 'staff',
    screen: (s) => [s.proposal, s.panelInvitation],
    input: (s) => ({ invitationId: s.panelInvitation, accept: true }),
  },
  {
    mutation: 'updateCallToAction',
    as: 'staff',
    screen: (s) => [s.proposal],
    input: (s) => ({
      proposalId: s.proposal,
      callToAction: 'Invite one family to join your QI team within 90 days.',
    }),
  },
  {
    mutation: 'adoptCallToAction',
    as: 'staff',
    setup: async (s, raw) => {
      // RUN_THROUGH and DELIVERED done: its call to action is offered to every center.
      for (const input of [{ rehearsalOn: day(55) }, {}]) {
        await raw(
          'staff',
          'mutation($input: AdvanceStageInput!) { advanceStage(input: $input) { userErrors { message } } }',
          { input: { proposalId: s.proposal, ...input } },
        );
      }
    },
    screen: (s) => [s.proposal],
    input: (s) => ({ proposalId: s.proposal, centerId: s.center }),
  },
];

function dataRequest(s, presentation) {
  return {
    purpose: 'Show how remission changed after pre-visit planning',
    audience: 'PUBLIC',
    measureKeys: ['remission_rate'],
    periodStart: '2025-01-01',
    periodEnd: '2025-12-31',
    presentation,
    expiresOn: day(180),
    centerIds: [s.center],
  };
}

function dataView(s) {
  return {
    dataRequestId: s.dataRequest,
    measureKey: 'remission_rate',
    chart: 'RUN_CHART',
    periodStart: '2025-01-01',
    periodEnd: '2025-12-31',
    centerIds: [s.center],
  };
}

async function newRequest(s, raw, presentation) {
  const made = await raw(
    'parent',
    'mutation($input: RequestDataInput!) { requestData(input: $input) { dataRequest { id } userErrors { message } } }',
    { input: dataRequest(s, presentation) },
  );
  return made.requestData.dataRequest.id;
}
