/**
 * Fixed name lists for the demo organisation. London's workforce draws on many heritages, so a
 * person's names follow their (demo) ethnic background: a list of only Anglo names would make
 * the diversity aggregates look fake, and random mixing would pair names implausibly.
 */
import type { Random } from './random.js'

export type Religion = 'none' | 'buddhist' | 'christian' | 'hindu' | 'jewish' | 'muslim' | 'sikh' | 'other' | 'prefer_not_to_say'

interface NamePool {
  male: string[]
  female: string[]
  family: string[]
  /** Religion or belief weights for people whose family name comes from this pool (demo figures). */
  religion: Array<[Religion, number]>
}

const list = (text: string) => text.split(',').map((s) => s.trim())

const SECULAR_CHRISTIAN: Array<[Religion, number]> = [['christian', 45], ['none', 38], ['jewish', 2], ['other', 2], ['prefer_not_to_say', 13]]
const CATHOLIC: Array<[Religion, number]> = [['christian', 70], ['none', 18], ['prefer_not_to_say', 12]]
const MUSLIM: Array<[Religion, number]> = [['muslim', 85], ['none', 4], ['prefer_not_to_say', 11]]

const POOLS = {
  british: {
    male: list('James, John, David, Paul, Mark, Andrew, Richard, Stephen, Michael, Robert, Peter, Christopher, Daniel, Matthew, Thomas, Simon, Gary, Ian, Neil, Martin, Lee, Darren, Craig, Stuart, Jonathan, Adam, Ben, Samuel, Jack, Luke, Timothy, Graham, Kevin, Philip, Anthony, William, Alan, Gareth, Rhys, Alistair'),
    female: list('Sarah, Emma, Claire, Helen, Rachel, Louise, Nicola, Joanne, Karen, Lisa, Michelle, Amanda, Victoria, Rebecca, Laura, Hannah, Charlotte, Katherine, Elizabeth, Jennifer, Susan, Julie, Alison, Gemma, Kelly, Lucy, Sophie, Amy, Jessica, Natalie, Deborah, Catherine, Jane, Fiona, Kirsty, Rhiannon, Zoe, Samantha, Caroline, Hayley'),
    family: list('Smith, Jones, Williams, Taylor, Brown, Davies, Evans, Wilson, Thomas, Johnson, Roberts, Robinson, Thompson, Wright, Walker, White, Edwards, Hughes, Green, Hall, Lewis, Harris, Clarke, Jackson, Wood, Turner, Martin, Cooper, Hill, Ward, Morris, Moore, King, Baker, Harrison, Morgan, Allen, Scott, Phillips, Watson, Parker, Price, Bennett, Young, Griffiths, Mitchell, Cook, Carter, Richardson, Bailey, Collins, Bell, Shaw, Miller, Cox, Marshall, Simpson, Ellis, Adams, Wilkinson, Foster, Chapman, Russell, Webb, Rogers, Gray, Mason, Hunt, Palmer, Holmes, Mills, Barnes, Knight, Lloyd, Butler, Fletcher, MacDonald, Stewart, Fraser, Reid, Murray, Hamilton, Pritchard, Owen, Jenkins, Powell'),
    religion: SECULAR_CHRISTIAN
  },
  irish: {
    male: list('Sean, Patrick, Declan, Ciaran, Niall, Conor, Eoin, Liam, Brendan, Kieran, Padraig, Donal, Fergal, Cormac, Darragh, Colm'),
    female: list('Siobhan, Niamh, Aoife, Sinead, Roisin, Orla, Ciara, Aisling, Grainne, Maeve, Mairead, Deirdre, Bridget, Clodagh, Fionnuala, Eimear'),
    family: list("Murphy, Kelly, O'Sullivan, Walsh, O'Brien, Byrne, Ryan, O'Connor, O'Neill, Doyle, McCarthy, Gallagher, Doherty, Kennedy, Lynch, Quinn, Brennan, Fitzgerald, McLaughlin, Nolan, Flanagan, Keane, Dunne, Casey"),
    religion: CATHOLIC
  },
  polish: {
    male: list('Piotr, Tomasz, Krzysztof, Marek, Paweł, Michał, Łukasz, Jakub, Andrzej, Grzegorz, Wojciech, Kamil'),
    female: list('Agnieszka, Katarzyna, Magdalena, Joanna, Anna, Małgorzata, Ewa, Monika, Justyna, Aleksandra, Marta, Karolina'),
    family: list('Nowak, Kowalski, Wiśniewski, Wójcik, Kowalczyk, Kamiński, Lewandowski, Zieliński, Szymański, Woźniak, Dąbrowski, Mazur'),
    religion: CATHOLIC
  },
  italian: {
    male: list('Marco, Giuseppe, Luca, Alessandro, Antonio, Francesco, Paolo, Stefano, Roberto, Giovanni'),
    female: list('Giulia, Francesca, Maria, Chiara, Alessandra, Elena, Sara, Valentina, Laura, Silvia'),
    family: list('Rossi, Russo, Ferrari, Esposito, Bianchi, Romano, Colombo, Ricci, Marino, Greco, Bruno, Gallo, Conti, De Luca, Costa'),
    religion: CATHOLIC
  },
  greek: {
    male: list('Andreas, Christos, Georgios, Nicos, Costas, Panayiotis, Michalis, Demetris, Stelios, Yiannis'),
    female: list('Maria, Eleni, Despina, Georgia, Androulla, Christina, Katerina, Sophia, Anna, Stella'),
    family: list('Georgiou, Christou, Ioannou, Constantinou, Charalambous, Demetriou, Nicolaou, Antoniou, Savva, Kyriacou, Panayiotou, Michael'),
    religion: [['christian', 80], ['none', 8], ['prefer_not_to_say', 12]]
  },
  portuguese: {
    male: list('João, Pedro, Miguel, Tiago, Rui, Nuno, Carlos, Paulo'),
    female: list('Ana, Sofia, Inês, Beatriz, Catarina, Marta, Joana, Rita'),
    family: list('Silva, Santos, Ferreira, Pereira, Oliveira, Costa, Rodrigues, Martins, Sousa, Fernandes, Gomes, Lopes'),
    religion: CATHOLIC
  },
  caribbean: {
    male: list('Marcus, Leroy, Winston, Delroy, Andre, Jermaine, Tyrone, Dwayne, Curtis, Devon, Clive, Trevor, Lloyd, Errol, Nathaniel, Kareem, Jason, Wayne, Michael, Anthony'),
    female: list('Marcia, Paulette, Sharon, Jacqueline, Yvonne, Beverley, Donna, Natasha, Simone, Tanya, Keisha, Shanice, Charmaine, Janet, Lorraine, Denise, Sonia, Carol, Michelle, Nadine'),
    family: list('Campbell, Williams, Brown, Francis, Thomas, Bailey, Johnson, Grant, Henry, Reid, Clarke, Lewis, Morgan, Robinson, Gordon, Edwards, Samuels, Charles, Joseph, Douglas, Baptiste, Greaves, Forbes, Bennett, Richards, Stewart, Blake, Hinds, Lindo, Powell'),
    religion: [['christian', 66], ['none', 15], ['muslim', 3], ['other', 4], ['prefer_not_to_say', 12]]
  },
  westAfrican: {
    male: list('Oluwaseun, Adebayo, Chukwuemeka, Olumide, Babatunde, Kwame, Kofi, Kwabena, Yaw, Samuel, Emmanuel, Daniel, Tunde, Chidi, Obinna, Femi, Ikenna'),
    female: list('Funmilayo, Adaeze, Chioma, Ngozi, Folake, Yetunde, Abena, Akosua, Ama, Efua, Grace, Blessing, Precious, Temitope, Bukola, Nneka, Olamide, Comfort'),
    family: list('Adeyemi, Okafor, Okonkwo, Adebayo, Oladipo, Okoro, Eze, Nwosu, Ogunleye, Balogun, Mensah, Owusu, Asante, Boateng, Osei, Appiah, Agyeman, Danso, Adeleke, Afolabi, Bello, Nwachukwu'),
    religion: [['christian', 76], ['muslim', 10], ['none', 4], ['prefer_not_to_say', 10]]
  },
  somali: {
    male: list('Mohamed, Abdi, Ahmed, Hassan, Abdirahman, Ali, Omar, Yusuf, Ismail, Liban'),
    female: list('Fadumo, Hodan, Amina, Sahra, Khadra, Hawa, Ifrah, Maryan, Nimco, Sagal'),
    family: list('Abdi, Hassan, Mohamed, Farah, Omar, Warsame, Jama, Osman, Aden, Hussein, Ibrahim, Nur, Yusuf, Elmi'),
    religion: MUSLIM
  },
  indian: {
    male: list('Rajesh, Sanjay, Amit, Vikram, Arjun, Rahul, Anil, Sunil, Deepak, Nikhil, Ravi, Kiran, Hitesh, Nilesh, Suresh, Ashok'),
    female: list('Priya, Anjali, Sunita, Neeta, Pooja, Meera, Asha, Nisha, Kavita, Anita, Shreya, Divya, Hema, Bhavna, Reena, Komal'),
    family: list('Patel, Shah, Sharma, Mehta, Joshi, Gupta, Kumar, Chauhan, Mistry, Parmar, Solanki, Desai, Bhatt, Naidu, Reddy, Pillai, Lad, Thakrar'),
    religion: [['hindu', 70], ['muslim', 6], ['christian', 5], ['other', 4], ['none', 5], ['prefer_not_to_say', 10]]
  },
  punjabi: {
    male: list('Harpreet, Gurpreet, Jaspal, Manjit, Sandeep, Jasbir, Kuldeep, Amarjit, Rajinder, Sukhwinder, Harjinder, Balwinder'),
    female: list('Rupinder, Harjit, Jasvinder, Simran, Manpreet, Kulwinder, Gurinder, Parminder, Navdeep, Amandeep, Sukhjit, Baljit'),
    family: list('Singh, Gill, Sandhu, Dhillon, Sidhu, Grewal, Bains, Johal, Randhawa, Sahota, Virdee, Atwal'),
    religion: [['sikh', 78], ['hindu', 6], ['none', 5], ['prefer_not_to_say', 11]]
  },
  pakistani: {
    male: list('Imran, Asif, Tariq, Zahid, Kamran, Faisal, Usman, Bilal, Adeel, Shahid, Naveed, Waqar, Sajid, Mohammed'),
    female: list('Ayesha, Fatima, Nadia, Saima, Sadia, Rabia, Shazia, Zainab, Samina, Uzma, Hina, Amna'),
    family: list('Khan, Hussain, Ahmed, Ali, Akhtar, Iqbal, Malik, Butt, Qureshi, Mahmood, Raja, Chaudhry, Bashir, Aslam, Rashid, Anwar'),
    religion: MUSLIM
  },
  bangladeshi: {
    male: list('Abdul, Mohammed, Shahid, Rezaul, Jamal, Kamrul, Shamim, Anwar, Mizanur, Habibur, Rahim, Sohel'),
    female: list('Nasima, Rehana, Shirin, Salma, Rukhsana, Fahmida, Sultana, Jesmin, Taslima, Runa, Shahana, Farzana'),
    family: list('Miah, Uddin, Rahman, Ahmed, Islam, Hoque, Chowdhury, Ali, Hossain, Alam, Karim, Haque'),
    religion: MUSLIM
  },
  sriLankan: {
    male: list('Suresh, Rajan, Kumaran, Sivakumar, Thayalan, Prakash, Mahesh, Senthil'),
    female: list('Thushyanthi, Lakshmi, Vasanthi, Nirmala, Shanthi, Kalaivani, Priyanka, Mathuri'),
    family: list('Sivanesan, Rajaratnam, Thurairajah, Selvarajah, Kanagaratnam, Balasubramaniam, Jeyakumar, Navaratnam, Shanmugam, Ratnam'),
    religion: [['hindu', 65], ['christian', 20], ['none', 4], ['prefer_not_to_say', 11]]
  },
  filipino: {
    male: list('Jose, Mark, Rommel, Jerome, Ramon, Christian'),
    female: list('Maricel, Rowena, Marites, Jocelyn, Rosalind, Cristina'),
    family: list('Santos, Reyes, Cruz, Bautista, Garcia, Mendoza, Dela Cruz, Villanueva, Ramos, Aquino'),
    religion: CATHOLIC
  },
  chinese: {
    male: list('Wei, Jun, Ming, Hao, Kevin, Michael, Alan, Kwok, Chi, Wing'),
    female: list('Mei, Li, Xin, Ying, Jenny, Grace, Ling, Hui, Man, Wai'),
    family: list('Chen, Wang, Zhang, Liu, Wong, Chan, Cheung, Lau, Ng, Ho, Yeung, Tang, Lam, Chow, Leung'),
    religion: [['none', 52], ['christian', 20], ['buddhist', 16], ['prefer_not_to_say', 12]]
  },
  arab: {
    male: list('Ahmed, Omar, Khalid, Youssef, Karim, Sami, Tarek, Hisham, Walid, Rami'),
    female: list('Layla, Nour, Rania, Yasmin, Hala, Dina, Mariam, Lina, Salma, Reem'),
    family: list('Haddad, Mansour, Khalil, Nasser, Saleh, Hamdan, Aziz, Farouk, Darwish, Said, El-Sayed, Abboud'),
    religion: [['muslim', 70], ['christian', 12], ['none', 6], ['prefer_not_to_say', 12]]
  },
  turkish: {
    male: list('Mehmet, Mustafa, Ahmet, Ali, Hasan, Hüseyin, Murat, Emre, Serkan, Cem'),
    female: list('Ayşe, Fatma, Emine, Elif, Zeynep, Hatice, Derya, Selin, Gül, Nesrin'),
    family: list('Yılmaz, Kaya, Demir, Şahin, Çelik, Yıldız, Aydın, Öztürk, Arslan, Doğan, Kılıç, Aslan'),
    religion: [['muslim', 68], ['none', 16], ['other', 4], ['prefer_not_to_say', 12]]
  },
  latinAmerican: {
    male: list('Carlos, Juan, Luis, Diego, Andrés, Javier, Alejandro, Fernando'),
    female: list('María, Ana, Carolina, Daniela, Paula, Valentina, Gabriela, Andrea'),
    family: list('Rodríguez, González, Martínez, López, Hernández, Gómez, Díaz, Ramírez, Torres, Vargas'),
    religion: CATHOLIC
  }
} satisfies Record<string, NamePool>

export type PoolId = keyof typeof POOLS

/** One way a person of an ONS code may be named, with what they might write as a self-definition. */
export interface Heritage {
  given: PoolId
  family: PoolId
  weight: number
  selfDefined?: string
}

const h = (given: PoolId, family: PoolId, weight: number, selfDefined?: string): Heritage => ({ given, family, weight, selfDefined })

/** Heritages for each ONS 16+1 code; the "any other" codes carry the self-definitions seed 001 says the 16+1 misses (e.g. Arab). */
export const HERITAGES: Record<string, Heritage[]> = {
  W1: [h('british', 'british', 1)],
  W2: [h('irish', 'irish', 85), h('british', 'irish', 15)],
  W9: [h('polish', 'polish', 25, 'Polish'), h('italian', 'italian', 15, 'Italian'), h('greek', 'greek', 15, 'Greek Cypriot'), h('portuguese', 'portuguese', 12, 'Portuguese'), h('turkish', 'turkish', 8, 'Turkish Cypriot'), h('british', 'british', 25, 'White Australian')],
  M1: [h('caribbean', 'caribbean', 40), h('british', 'british', 30), h('british', 'caribbean', 30)],
  M2: [h('british', 'westAfrican', 40), h('westAfrican', 'british', 20), h('british', 'british', 40)],
  M3: [h('british', 'indian', 25), h('british', 'pakistani', 15), h('british', 'british', 45), h('british', 'chinese', 15)],
  M9: [h('british', 'british', 40), h('latinAmerican', 'latinAmerican', 20, 'Mixed Latin American'), h('british', 'arab', 20, 'Arab and White'), h('caribbean', 'chinese', 20, 'Black and Chinese')],
  A1: [h('indian', 'indian', 65), h('punjabi', 'punjabi', 35)],
  A2: [h('pakistani', 'pakistani', 1)],
  A3: [h('bangladeshi', 'bangladeshi', 1)],
  A9: [h('sriLankan', 'sriLankan', 65, 'Sri Lankan Tamil'), h('filipino', 'filipino', 35, 'Filipino')],
  B1: [h('caribbean', 'caribbean', 1)],
  B2: [h('westAfrican', 'westAfrican', 75), h('somali', 'somali', 25)],
  B9: [h('caribbean', 'caribbean', 60, 'Black British'), h('westAfrican', 'westAfrican', 40, 'Black British')],
  O1: [h('chinese', 'chinese', 1)],
  O9: [h('arab', 'arab', 45, 'Arab'), h('turkish', 'turkish', 30, 'Kurdish'), h('latinAmerican', 'latinAmerican', 25, 'Latin American')]
}

/** Short forms some people go by; the person keeps their full given name too. */
const PREFERRED: Record<string, string> = {
  Robert: 'Rob', William: 'Will', Christopher: 'Chris', Matthew: 'Matt', Anthony: 'Tony', Daniel: 'Dan', Michael: 'Mike',
  Jonathan: 'Jon', Samuel: 'Sam', Timothy: 'Tim', Philip: 'Phil', Stephen: 'Steve', Katherine: 'Kate', Elizabeth: 'Liz',
  Rebecca: 'Becky', Jennifer: 'Jenny', Victoria: 'Vicky', Samantha: 'Sam', Deborah: 'Debbie', Catherine: 'Cathy',
  Oluwaseun: 'Seun', Babatunde: 'Tunde', Chukwuemeka: 'Emeka', Funmilayo: 'Funmi', Temitope: 'Tope', Abdirahman: 'Abdi',
  Panayiotis: 'Panos', Krzysztof: 'Chris', Małgorzata: 'Gosia', Aleksandra: 'Ola', Sukhwinder: 'Sukhi'
}

export interface Named {
  givenName: string
  familyName: string
  preferredName: string | null
  religionWeights: Array<[Religion, number]>
}

export function nameFor(random: Random, heritage: Heritage, female: boolean): Named {
  const given = POOLS[heritage.given]
  const familyPool = POOLS[heritage.family]
  const givenName = random.pick(female ? given.female : given.male)
  let familyName = random.pick(familyPool.family)
  // Sikh women take Kaur where men take Singh; Polish family names agree with the bearer's sex.
  if (female && familyName === 'Singh') familyName = 'Kaur'
  if (female && heritage.family === 'polish') familyName = familyName.replace(/ski$/, 'ska')
  const short = PREFERRED[givenName]
  const preferredName = short && random.chance(0.35) ? short : null
  return { givenName, familyName, preferredName, religionWeights: familyPool.religion }
}

/** The letters of a name as they can appear in an address: no accents, spaces or apostrophes. */
export function emailPart(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/ł/g, 'l')
    .replace(/Ł/g, 'L')
    .replace(/ı/g, 'i')
    .toLowerCase()
    .replace(/[^a-z-]/g, '')
}
